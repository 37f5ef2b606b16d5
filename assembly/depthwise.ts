// Depthwise 2-D convolution (group = C_in = C_out), NCHW: each channel plane is
// copied into a zero-padded scratch plane, then output rows are computed in blocks
// of 8 pixels (two f32x4 accumulators) along the output width. 3×3 kernels keep
// their nine weights in registers; stride 1 computes two output rows per pass (the
// middle input rows are loaded once for both), stride 2 reads a plane split by column
// parity so every tap is a plain 4-float load.
import { block, gemm_f32_bias, KC, MC } from './gemm';
import { madd } from './simd';
import { activate, fillRun, load4, padPlane, padPlaneSplit, paddedHeight, paddedWidth, store8 } from './window';

/** One output row of a 3×3 window: 8-pixel blocks from input rows r0, r1, r2 (taps kx at kx·ddx bytes). */
@inline function row3x3(r0: usize, r1: usize, r2: usize, ddx: usize, step: usize, sw: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
  bv: v128, yr: usize, ow: i32, exact: bool, act: i32, lo: v128, hi: v128): void {
  for (let ox = 0; ox < ow; ox += 8) {
    const c = <usize>(ox * sw) * 4;
    // Two partial sums per 4 lanes (taps 0–4 and 5–8): a single chain of nine dependent
    // multiply-adds is latency-bound; two halve the chain.
    let a = bv, e = bv;
    let a2 = f32x4.splat(0), e2 = f32x4.splat(0);
    a = madd(load4(r0 + c, sw), w0, a); e = madd(load4(r0 + c + step, sw), w0, e);
    a2 = madd(load4(r1 + c + 2 * ddx, sw), w5, a2); e2 = madd(load4(r1 + c + step + 2 * ddx, sw), w5, e2);
    a = madd(load4(r0 + c + ddx, sw), w1, a); e = madd(load4(r0 + c + step + ddx, sw), w1, e);
    a2 = madd(load4(r2 + c, sw), w6, a2); e2 = madd(load4(r2 + c + step, sw), w6, e2);
    a = madd(load4(r0 + c + 2 * ddx, sw), w2, a); e = madd(load4(r0 + c + step + 2 * ddx, sw), w2, e);
    a2 = madd(load4(r2 + c + ddx, sw), w7, a2); e2 = madd(load4(r2 + c + step + ddx, sw), w7, e2);
    a = madd(load4(r1 + c, sw), w3, a); e = madd(load4(r1 + c + step, sw), w3, e);
    a2 = madd(load4(r2 + c + 2 * ddx, sw), w8, a2); e2 = madd(load4(r2 + c + step + 2 * ddx, sw), w8, e2);
    a = madd(load4(r1 + c + ddx, sw), w4, a); e = madd(load4(r1 + c + step + ddx, sw), w4, e);
    a = f32x4.add(a, a2); e = f32x4.add(e, e2);
    store8(yr + <usize>ox * 4, activate(a, act, lo, hi), activate(e, act, lo, hi), exact ? ow - ox : 8);
  }
}

@inline function plane3x3(pad: usize, wp: i32, w: usize, b: f32, y: usize, oh: i32, ow: i32, sh: i32, sw: i32, dh: i32, dw: i32, act: i32, lo: v128, hi: v128, exactRow: i32): void {
  const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4), w2 = v128.load32_splat(w, 8);
  const w3 = v128.load32_splat(w, 12), w4 = v128.load32_splat(w, 16), w5 = v128.load32_splat(w, 20);
  const w6 = v128.load32_splat(w, 24), w7 = v128.load32_splat(w, 28), w8 = v128.load32_splat(w, 32);
  const bv = f32x4.splat(b);
  const step = <usize>(sw * 4) * 4;
  const ddx = <usize>dw * 4, ddy = <usize>(dh * wp) * 4, rs = <usize>wp * 4;
  let oy = 0;
  if (sh == 1 && dh == 1) {
    // Output rows oy and oy + 1 share input rows oy + 1 and oy + 2: 12 row loads per
    // 8-pixel block pair instead of 18.
    for (; oy + 1 < oh; oy += 2) {
      const q0 = pad + <usize>(oy * wp) * 4, q1 = q0 + rs, q2 = q1 + rs, q3 = q2 + rs;
      const yr = y + <usize>(oy * ow) * 4, yr1 = yr + <usize>ow * 4;
      const exact0 = oy >= exactRow, exact1 = oy + 1 >= exactRow;
      // Blocks right to left: row oy's last block spills into the start of row oy + 1,
      // which is stored afterwards, by the final (ox = 0) block.
      for (let ox = (ow - 1) & ~7; ox >= 0; ox -= 8) {
        const c = <usize>ox * 4;
        let a = bv, e = bv, f = bv, g = bv;
        let v = v128.load(q0 + c), u = v128.load(q0 + c + 16);
        a = madd(v, w0, a); e = madd(u, w0, e);
        v = v128.load(q0 + c + ddx); u = v128.load(q0 + c + ddx + 16);
        a = madd(v, w1, a); e = madd(u, w1, e);
        v = v128.load(q0 + c + 2 * ddx); u = v128.load(q0 + c + 2 * ddx + 16);
        a = madd(v, w2, a); e = madd(u, w2, e);
        v = v128.load(q1 + c); u = v128.load(q1 + c + 16);
        a = madd(v, w3, a); e = madd(u, w3, e); f = madd(v, w0, f); g = madd(u, w0, g);
        v = v128.load(q1 + c + ddx); u = v128.load(q1 + c + ddx + 16);
        a = madd(v, w4, a); e = madd(u, w4, e); f = madd(v, w1, f); g = madd(u, w1, g);
        v = v128.load(q1 + c + 2 * ddx); u = v128.load(q1 + c + 2 * ddx + 16);
        a = madd(v, w5, a); e = madd(u, w5, e); f = madd(v, w2, f); g = madd(u, w2, g);
        v = v128.load(q2 + c); u = v128.load(q2 + c + 16);
        a = madd(v, w6, a); e = madd(u, w6, e); f = madd(v, w3, f); g = madd(u, w3, g);
        v = v128.load(q2 + c + ddx); u = v128.load(q2 + c + ddx + 16);
        a = madd(v, w7, a); e = madd(u, w7, e); f = madd(v, w4, f); g = madd(u, w4, g);
        v = v128.load(q2 + c + 2 * ddx); u = v128.load(q2 + c + 2 * ddx + 16);
        a = madd(v, w8, a); e = madd(u, w8, e); f = madd(v, w5, f); g = madd(u, w5, g);
        v = v128.load(q3 + c); u = v128.load(q3 + c + 16);
        f = madd(v, w6, f); g = madd(u, w6, g);
        v = v128.load(q3 + c + ddx); u = v128.load(q3 + c + ddx + 16);
        f = madd(v, w7, f); g = madd(u, w7, g);
        v = v128.load(q3 + c + 2 * ddx); u = v128.load(q3 + c + 2 * ddx + 16);
        f = madd(v, w8, f); g = madd(u, w8, g);
        store8(yr + c, activate(a, act, lo, hi), activate(e, act, lo, hi), exact0 ? ow - ox : 8);
        store8(yr1 + c, activate(f, act, lo, hi), activate(g, act, lo, hi), exact1 ? ow - ox : 8);
      }
    }
  }
  for (; oy < oh; oy++) {
    const r0 = pad + <usize>(oy * sh * wp) * 4;
    row3x3(r0, r0 + ddy, r0 + 2 * ddy, ddx, step, sw, w0, w1, w2, w3, w4, w5, w6, w7, w8, bv, y + <usize>(oy * ow) * 4, ow, oy >= exactRow, act, lo, hi);
  }
}

/** 3×3, stride 2 along rows, undilated columns, on a plane from padPlaneSplit. */
@inline function plane3x3s2(pad: usize, wp: i32, w: usize, b: f32, y: usize, oh: i32, ow: i32, sh: i32, dh: i32, act: i32, lo: v128, hi: v128, exactRow: i32): void {
  const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4), w2 = v128.load32_splat(w, 8);
  const w3 = v128.load32_splat(w, 12), w4 = v128.load32_splat(w, 16), w5 = v128.load32_splat(w, 20);
  const w6 = v128.load32_splat(w, 24), w7 = v128.load32_splat(w, 28), w8 = v128.load32_splat(w, 32);
  const bv = f32x4.splat(b);
  const odd = <usize>(wp >> 1) * 4, ddy = <usize>(dh * wp) * 4;
  for (let oy = 0; oy < oh; oy++) {
    const r0 = pad + <usize>(oy * sh * wp) * 4, r1 = r0 + ddy, r2 = r1 + ddy;
    const yr = y + <usize>(oy * ow) * 4;
    const exact = oy >= exactRow;
    for (let ox = 0; ox < ow; ox += 8) {
      const c = <usize>ox * 4;
      let a = bv, e = bv;
      let a2 = f32x4.splat(0), e2 = f32x4.splat(0);
      // Taps kx = 0, 1, 2 read even[ox], odd[ox], even[ox + 1].
      a = madd(v128.load(r0 + c), w0, a); e = madd(v128.load(r0 + c + 16), w0, e);
      a2 = madd(v128.load(r1 + c + 4), w5, a2); e2 = madd(v128.load(r1 + c + 20), w5, e2);
      a = madd(v128.load(r0 + odd + c), w1, a); e = madd(v128.load(r0 + odd + c + 16), w1, e);
      a2 = madd(v128.load(r2 + c), w6, a2); e2 = madd(v128.load(r2 + c + 16), w6, e2);
      a = madd(v128.load(r0 + c + 4), w2, a); e = madd(v128.load(r0 + c + 20), w2, e);
      a2 = madd(v128.load(r2 + odd + c), w7, a2); e2 = madd(v128.load(r2 + odd + c + 16), w7, e2);
      a = madd(v128.load(r1 + c), w3, a); e = madd(v128.load(r1 + c + 16), w3, e);
      a2 = madd(v128.load(r2 + c + 4), w8, a2); e2 = madd(v128.load(r2 + c + 20), w8, e2);
      a = madd(v128.load(r1 + odd + c), w4, a); e = madd(v128.load(r1 + odd + c + 16), w4, e);
      a = f32x4.add(a, a2); e = f32x4.add(e, e2);
      store8(yr + c, activate(a, act, lo, hi), activate(e, act, lo, hi), exact ? ow - ox : 8);
    }
  }
}

@inline function planeAny(pad: usize, wp: i32, w: usize, kh: i32, kw: i32, b: f32, y: usize, oh: i32, ow: i32, sh: i32, sw: i32, dh: i32, dw: i32, act: i32, lo: v128, hi: v128, exactRow: i32): void {
  const bv = f32x4.splat(b);
  const step = <usize>(sw * 4) * 4;
  for (let oy = 0; oy < oh; oy++) {
    const row = pad + <usize>(oy * sh * wp) * 4;
    const yr = y + <usize>(oy * ow) * 4;
    for (let ox = 0; ox < ow; ox += 8) {
      let a = bv, e = bv;
      for (let ky = 0; ky < kh; ky++) {
        const r = row + <usize>(ky * dh * wp + ox * sw) * 4;
        const wr = w + <usize>(ky * kw) * 4;
        for (let kx = 0; kx < kw; kx++) {
          const wv = v128.load32_splat(wr + <usize>kx * 4);
          const p = r + <usize>(kx * dw) * 4;
          a = madd(load4(p, sw), wv, a);
          e = madd(load4(p + step, sw), wv, e);
        }
      }
      store8(yr + <usize>ox * 4, activate(a, act, lo, hi), activate(e, act, lo, hi), oy < exactRow ? 8 : ow - ox);
    }
  }
}

/** Whether a window reads its padded planes split by column parity (padPlaneSplit, plane3x3s2). */
@inline function splitsByParity(kh: i32, kw: i32, sw: i32, dw: i32, ow: i32): bool {
  // Narrow rows are mostly border, where the split copy goes lane by lane: measured
  // slower than strided loads below 16 output columns.
  return kh == 3 && kw == 3 && sw == 2 && dw == 1 && ow >= 16;
}

/** One channel's output plane yc from its padded plane `pad` (hp×wp; parity-split when `split`). */
@inline function dwChannel(pad: usize, wp: i32, wc: usize, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, b: f32, yc: usize, oh: i32, ow: i32,
  split: bool, act: i32, vlo: v128, vhi: v128, exactRow: i32): void {
  if (split) plane3x3s2(pad, wp, wc, b, yc, oh, ow, sh, dh, act, vlo, vhi, exactRow);
  else if (kh == 3 && kw == 3) {
    if (sw == 1) plane3x3(pad, wp, wc, b, yc, oh, ow, sh, 1, dh, dw, act, vlo, vhi, exactRow);
    else plane3x3(pad, wp, wc, b, yc, oh, ow, sh, sw, dh, dw, act, vlo, vhi, exactRow);
  } else if (sw == 1) planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, 1, dh, dw, act, vlo, vhi, exactRow);
  else if (sw == 2) planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, 2, dh, dw, act, vlo, vhi, exactRow);
  else planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, sw, dh, dw, act, vlo, vhi, exactRow);
}

/**
 * Depthwise conv of one image: x [c, h, w] → y [c, oh, ow], weights [c, 1, kh, kw],
 * bias [c] (0 = none), fused activation (0 none, 1 relu, 2 clip(lo, hi)).
 * `pad` is scratch of window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw).
 */
export function depthwise_f32(x: usize, c: i32, h: i32, w: i32, wt: usize, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32, bias: usize, y: usize, pad: usize, act: i32, lo: f32, hi: f32): void {
  const hp = paddedHeight(oh, sh, kh, dh), wp = paddedWidth(ow, sw, kw, dw);
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const split = splitsByParity(kh, kw, sw, dw, ow);
  for (let ch = 0; ch < c; ch++) {
    const xc = x + <usize>(ch * h * w) * 4;
    if (split) padPlaneSplit(xc, h, w, pad, hp, wp, pt, pl, 0);
    else padPlane(xc, h, w, pad, hp, wp, pt, pl, 0);
    const b: f32 = bias ? load<f32>(bias + <usize>ch * 4) : 0;
    // A row's last block may spill up to 7 floats into the next row or plane, which are
    // written after it; only the very last row of the image must store exactly.
    const exactRow = ch == c - 1 ? oh - 1 : oh;
    dwChannel(pad, wp, wt + <usize>(ch * kh * kw) * 4, kh, kw, sh, sw, dh, dw, b, y + <usize>(ch * oh * ow) * 4, oh, ow, split, act, vlo, vhi, exactRow);
  }
}

/**
 * Whether pointwise_depthwise_f32's expand GEMM stores into the padded planes: every image row is
 * whole 8-pixel panels, the padded plane (or its split halves) holds the whole image, and K is one
 * GEMM block.
 */
@inline function storesPadded(ci: i32, h: i32, w: i32, hp: i32, wp: i32, pt: i32, pl: i32, split: bool): bool {
  const len = (wp >> 1) & ~3;
  return (w & 7) == 0 && ci <= KC && h + pt <= hp && (split ? (w - 1 + pl) >> 1 < len : w + pl <= wp);
}

/** Bytes of one of pointwise_depthwise_f32's `mid` planes: a padded plane where it stores into those, else h·w floats. */
export function pointwise_depthwise_plane_bytes(ci: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  const hp = paddedHeight(oh, sh, kh, dh), wp = paddedWidth(ow, sw, kw, dw);
  return storesPadded(ci, h, w, hp, wp, pt, pl, splitsByParity(kh, kw, sw, dw, ow)) ? hp * wp * 4 : h * w * 4;
}

/**
 * An inverted-residual block's expand → depthwise pair for output channels [c0, c1), `cg` at
 * a time: the 1×1 expand conv (weights w1 [co, ci], bias b1, act1) of those channels into
 * `mid`, then the depthwise conv of those planes straight into y. The expanded image
 * (MobileNetV2: 96 × 112² floats, 4.8 MB) then never leaves the cache: each group's planes are
 * read back while still in L2. `col` is the input packed into 8-pixel panels (im2col_panels of
 * the 1×1 geometry); `pad` is depthwise_f32's plane scratch; `mid` holds cg planes of
 * pointwise_depthwise_plane_bytes.
 *
 * Where storesPadded (every image row whole panels, the padded plane holding the whole image),
 * the expand GEMM stores each panel straight into the depthwise conv's padded (or parity-split)
 * plane, whose border is zeroed once: no padding copy per channel (at 112², stride 2, that copy
 * cost as much as the depthwise arithmetic).
 */
export function pointwise_depthwise_f32(col: usize, ci: i32, h: i32, w: i32, w1: usize, b1: usize, act1: i32, lo1: f32, hi1: f32,
  mid: usize, cg: i32, c0: i32, c1: i32, w2: usize, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, b2: usize, y: usize, pad: usize, act2: i32, lo2: f32, hi2: f32): void {
  const n = h * w;
  const hp = paddedHeight(oh, sh, kh, dh), wp = paddedWidth(ow, sw, kw, dw);
  const split = splitsByParity(kh, kw, sw, dw, ow);
  if (!storesPadded(ci, h, w, hp, wp, pt, pl, split)) {
    for (let g = c0; g < c1; g += cg) {
      const m = min(cg, c1 - g);
      gemm_f32_bias(w1 + <usize>(g * ci) * 4, ci, col, mid, n, m, n, ci, b1 ? b1 + <usize>g * 4 : 0, 2, act1, lo1, hi1);
      depthwise_f32(mid, m, h, w, w2 + <usize>(g * kh * kw) * 4, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow,
        b2 ? b2 + <usize>g * 4 : 0, y + <usize>(g * oh * ow) * 4, pad, act2, lo2, hi2);
    }
    return;
  }
  const plane = hp * wp, ps = <usize>plane * 4;
  for (let i = 0; i < min(cg, c1 - c0); i++) zeroBorder(mid + <usize>i * ps, h, w, hp, wp, pt, pl, split);
  // Where a panel's pixel x0 (a multiple of 8) and its row land in a padded plane: byte offsets
  // of x0's column within the row, and (split) from its even pixels' four floats to its odd ones'.
  const half = wp >> 1;
  const evenAt = split ? ((pl & 1) ? half + ((pl - 1) >> 1) : pl >> 1) : pl;
  const oddDelta: isize = split ? ((pl & 1) ? 1 - half : half) * 4 : 0;
  const vlo = f32x4.splat(lo2), vhi = f32x4.splat(hi2);
  for (let g = c0; g < c1; g += cg) {
    const m = min(cg, c1 - g);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      const a = w1 + <usize>((g + i0) * ci) * 4, bias = b1 ? b1 + <usize>(g + i0) * 4 : 0;
      const out = mid + <usize>i0 * ps;
      for (let n0 = 0; n0 < n; n0 += 8) {
        const r = n0 / w, x0 = n0 - r * w;
        const at = out + <usize>((r + pt) * wp + (split ? evenAt + (x0 >> 1) : evenAt + x0)) * 4;
        block(a, ci, 0, 0, col + <usize>(n0 * ci) * 4, 0, at, plane, mc, 8, ci, bias, bias ? 2 : 0, true, act1, lo1, hi1, split, oddDelta);
      }
    }
    for (let i = 0; i < m; i++) {
      const ch = g + i;
      const b: f32 = b2 ? load<f32>(b2 + <usize>ch * 4) : 0;
      const exactRow = ch == c1 - 1 ? oh - 1 : oh;
      dwChannel(mid + <usize>i * ps, wp, w2 + <usize>(ch * kh * kw) * 4, kh, kw, sh, sw, dh, dw, b, y + <usize>(ch * oh * ow) * 4, oh, ow,
        split, act2, vlo, vhi, exactRow);
    }
  }
}

/**
 * Zeroes what padPlane (or padPlaneSplit) would fill in a padded plane and a direct store of the
 * image (h×w at row pt, column pl) leaves unwritten: the rows above and below the image and the
 * columns left and right of it (in the split layout, the even and odd halves' entries outside it).
 */
function zeroBorder(p: usize, h: i32, w: i32, hp: i32, wp: i32, pt: i32, pl: i32, split: bool): void {
  const half = wp >> 1, len = half & ~3;
  // even[j] holds image column 2j − pl, odd[j] column 2j + 1 − pl: the image's are even[evenLo, evenHi), odd[oddLo, oddHi).
  const evenLo = min(len, (pl + 1) >> 1), evenHi = min(len, (w + pl + 1) >> 1);
  const oddLo = min(len, pl >> 1), oddHi = min(len, (w + pl) >> 1);
  for (let r = 0; r < hp; r++) {
    const row = p + <usize>(r * wp) * 4;
    if (r < pt || r >= pt + h) {
      fillRun(row, wp, 0);
    } else if (!split) {
      fillRun(row, pl, 0);
      fillRun(row + <usize>(pl + w) * 4, wp - pl - w, 0);
    } else {
      const od = row + <usize>half * 4;
      fillRun(row, evenLo, 0);
      fillRun(row + <usize>evenHi * 4, len - evenHi, 0);
      fillRun(od, oddLo, 0);
      fillRun(od + <usize>oddHi * 4, len - oddHi, 0);
    }
  }
}
