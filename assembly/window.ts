// Helpers shared by the sliding-window kernels (depthwise conv, pools): a padded
// copy of one input plane, so every tap of every (rounded-up) output block is in
// bounds, and strided 4-lane loads along a row.

/** Width of the padded plane: 8-wide output blocks at stride sw plus the kernel span, plus slack for 8-float loads. */
@inline export function paddedWidth(ow: i32, sw: i32, kw: i32, dw: i32): i32 {
  return ((ow + 7) & ~7) * sw + (kw - 1) * dw + 8;
}

@inline export function paddedHeight(oh: i32, sh: i32, kh: i32, dh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/** Bytes of the padded plane scratch. */
export function window_pad_bytes(oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32): i32 {
  return paddedHeight(oh, sh, kh, dh) * paddedWidth(ow, sw, kw, dw) * 4;
}

/** Copies plane x (h×w) into pad (hp×wp) at offset (pt, pl), filling the rest with `fill`. */
export function padPlane(x: usize, h: i32, w: i32, pad: usize, hp: i32, wp: i32, pt: i32, pl: i32, fill: f32): void {
  // One pass: each padded row is its left border, the image row, its right border
  // (or all fill outside the image rows), so no float is written twice.
  const r0 = max(0, -pt), r1 = min(h, hp - pt);
  const c0 = max(0, -pl), c1 = min(w, wp - pl);
  const inside = c1 > c0;
  for (let r = 0; r < hp; r++) {
    const row = pad + <usize>(r * wp) * 4;
    const ir = r - pt;
    if (!inside || ir < r0 || ir >= r1) {
      fillRun(row, wp, fill);
      continue;
    }
    fillRun(row, c0 + pl, fill);
    copyRun(row + <usize>(c0 + pl) * 4, x + <usize>(ir * w + c0) * 4, c1 - c0);
    fillRun(row + <usize>(c1 + pl) * 4, wp - c1 - pl, fill);
  }
}

// Short rows (7–56 floats) are copied with vector moves: memory.copy's call overhead
// outweighs the copy itself at these sizes.
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

/**
 * padPlane for stride-2 windows, split by column parity: padded row r holds its even
 * columns at pad + r·wp floats and its odd columns `wp >> 1` floats later, each half
 * `(wp >> 1) & ~3` floats long (≥ 8-column output blocks + 1 for paddedWidth(ow, 2, 3, 1)).
 * A stride-2 tap kx then reads 4 consecutive floats: even[ox + kx/2] or odd[ox].
 */
export function padPlaneSplit(x: usize, h: i32, w: i32, pad: usize, hp: i32, wp: i32, pt: i32, pl: i32, fill: f32): void {
  const half = wp >> 1, len = half & ~3;
  for (let r = 0; r < hp; r++) {
    const ev = pad + <usize>(r * wp) * 4, od = ev + <usize>half * 4;
    const ir = r - pt;
    if (ir < 0 || ir >= h) {
      fillRun(ev, len, fill);
      fillRun(od, len, fill);
      continue;
    }
    const src = x + <usize>(ir * w) * 4;
    for (let j = 0; j < len; j += 4) {
      const i0 = 2 * j - pl; // image column of even[j]
      if (i0 >= 0 && i0 + 8 <= w) {
        const v0 = v128.load(src + <usize>i0 * 4), v1 = v128.load(src + <usize>i0 * 4, 16);
        v128.store(ev + <usize>j * 4, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
        v128.store(od + <usize>j * 4, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
        continue;
      }
      if (i0 >= w || i0 + 8 <= 0) {
        v128.store(ev + <usize>j * 4, f32x4.splat(fill));
        v128.store(od + <usize>j * 4, f32x4.splat(fill));
        continue;
      }
      for (let k = 0; k < 8; k++) {
        const ic = i0 + k;
        const v = <u32>ic < <u32>w ? load<f32>(src + <usize>ic * 4) : fill;
        store<f32>((k & 1 ? od : ev) + <usize>(j + (k >> 1)) * 4, v);
      }
    }
  }
}

@inline export function fillRun(p: usize, n: i32, fill: f32): void {
  const fv = f32x4.splat(fill);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + <usize>i * 4, fv);
  for (; i < n; i++) store<f32>(p + <usize>i * 4, fill);
}

/** Four floats at p, p + s, p + 2s, p + 3s (s in floats). */
@inline export function load4(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return v128.shuffle<i32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + <usize>s * 4));
  v = f32x4.replace_lane(v, 2, load<f32>(p + <usize>s * 8));
  v = f32x4.replace_lane(v, 3, load<f32>(p + <usize>s * 12));
  return v;
}

/** Stores 8 lanes (two vectors) to y, or the first n < 8 of them. */
@inline export function store8(y: usize, a: v128, b: v128, n: i32): void {
  if (n >= 8) { v128.store(y, a); v128.store(y, b, 16); return; }
  for (let j = 0; j < n; j++) {
    const v = j < 4 ? a : b;
    const k = j & 3;
    const f = k == 0 ? f32x4.extract_lane(v, 0) : k == 1 ? f32x4.extract_lane(v, 1) : k == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(y + <usize>j * 4, f);
  }
}

export { activate } from './simd';
