// Resize kernels over tables the host builds once per shape (src/ops/spatial/resize-axis.ts):
// a nearest gather by output rows, and a separable weighted (linear / cubic / antialiased)
// resample of the last two axes. Both run on ranges of output rows; each output is computed
// by the same instructions whatever the range, so any split over threads gives the same bits.

/**
 * Nearest: output row r (of `ow` floats) reads input row offset rowOff[r] (floats; -1 = outside
 * the crop → fill) at columns colOff[o] (-1 → fill). Rows [r0, r1).
 */
export function resize_nearest_f32(x: usize, y: usize, rowOff: usize, colOff: usize, r0: i32, r1: i32, ow: i32, fill: f32): void {
  let colOutside = false;
  for (let o = 0; o < ow; o++) if (load<i32>(colOff + <usize>o * 4) < 0) colOutside = true;
  for (let r = r0; r < r1; r++) {
    const base = load<i32>(rowOff + <usize>r * 4);
    const dst = y + <usize>r * <usize>ow * 4;
    if (base < 0) {
      for (let o = 0; o < ow; o++) store<f32>(dst + <usize>o * 4, fill);
    } else if (r > r0 && base == load<i32>(rowOff + <usize>(r - 1) * 4)) {
      // Upscaled rows repeat the previous one.
      memory.copy(dst, dst - <usize>ow * 4, <usize>ow * 4);
    } else {
      const src = x + <usize>base * 4;
      if (colOutside) {
        for (let o = 0; o < ow; o++) {
          const s = load<i32>(colOff + <usize>o * 4);
          store<f32>(dst + <usize>o * 4, s < 0 ? fill : load<f32>(src + <usize>s * 4));
        }
      } else {
        for (let o = 0; o < ow; o++) store<f32>(dst + <usize>o * 4, load<f32>(src + (<usize>load<i32>(colOff + <usize>o * 4) << 2)));
      }
    }
  }
}

/** Bytes of one task's row cache for resize_weighted_f32. */
export function resize_ring_bytes(tapsY: i32, ow: i32): i32 {
  return ((tapsY * 4 + 15) & ~15) + tapsY * ((ow + 3) & ~3) * 4;
}

/**
 * Weighted resample of planes [h, w] → [oh, ow] for output rows [r0, r1) of all planes stacked
 * (row r is row r % oh of plane r / oh). Output row oy = Σ_k wy[oy·tapsY + k] · H(iy[oy·tapsY + k]),
 * where H(i) is input row i resampled along the width: H(i)[ox] = Σ_j wx[ox·tapsX + j] · x[i, ix[ox·tapsX + j]].
 * outY / outX (0 = none) flag outputs outside the crop (→ fill). The tap rows of one output
 * are consecutive source rows (clamped), so a ring of tapsY resampled rows (slot = row % tapsY)
 * computes each source row once per plane. `ring`: resize_ring_bytes(tapsY, ow).
 */
export function resize_weighted_f32(x: usize, y: usize, r0: i32, r1: i32, h: i32, w: i32, oh: i32, ow: i32,
  iy: usize, wy: usize, tapsY: i32, ix: usize, wx: usize, tapsX: i32, outY: usize, outX: usize, fill: f32, ring: usize): void {
  const tags = ring;
  const rows = ring + <usize>((tapsY * 4 + 15) & ~15);
  const stride = <usize>((ow + 3) & ~3) * 4;
  let plane = -1;
  for (let r = r0; r < r1; r++) {
    const p = r / oh, oy = r - p * oh;
    const dst = y + <usize>r * <usize>ow * 4;
    if (outY && load<i32>(outY + <usize>oy * 4)) {
      for (let o = 0; o < ow; o++) store<f32>(dst + <usize>o * 4, fill);
      continue;
    }
    if (p != plane) {
      plane = p;
      for (let k = 0; k < tapsY; k++) store<i32>(tags + <usize>k * 4, -1);
    }
    const src = x + <usize>p * <usize>(h * w) * 4;
    const tap = <usize>(oy * tapsY) * 4;
    for (let k = 0; k < tapsY; k++) {
      const i = load<i32>(iy + tap + <usize>k * 4);
      const slot = <usize>(i % tapsY);
      if (load<i32>(tags + slot * 4) != i) {
        store<i32>(tags + slot * 4, i);
        resampleRow(src + <usize>(i * w) * 4, rows + slot * stride, ow, ix, wx, tapsX);
      }
    }
    let o = 0;
    if (tapsY == 2) {
      // The usual linear case: both rows and weights held in registers across the row.
      const ra = rows + <usize>(load<i32>(iy + tap) % 2) * stride, rb = rows + <usize>(load<i32>(iy + tap, 4) % 2) * stride;
      const wa = v128.load32_splat(wy + tap), wb = v128.load32_splat(wy + tap, 4);
      for (; o + 4 <= ow; o += 4) {
        const off = <usize>o * 4;
        const acc = f32x4.add(f32x4.add(f32x4.splat(0), f32x4.mul(wa, v128.load(ra + off))), f32x4.mul(wb, v128.load(rb + off)));
        v128.store(dst + off, acc);
      }
    }
    for (; o + 4 <= ow; o += 4) {
      let acc = f32x4.splat(0);
      for (let k = 0; k < tapsY; k++) {
        const i = load<i32>(iy + tap + <usize>k * 4);
        const row = rows + <usize>(i % tapsY) * stride;
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(wy + tap + <usize>k * 4), v128.load(row + <usize>o * 4)));
      }
      v128.store(dst + <usize>o * 4, acc);
    }
    for (; o < ow; o++) {
      let acc: f32 = 0;
      for (let k = 0; k < tapsY; k++) {
        const i = load<i32>(iy + tap + <usize>k * 4);
        acc += load<f32>(wy + tap + <usize>k * 4) * load<f32>(rows + <usize>(i % tapsY) * stride + <usize>o * 4);
      }
      store<f32>(dst + <usize>o * 4, acc);
    }
    if (outX) for (o = 0; o < ow; o++) if (load<i32>(outX + <usize>o * 4)) store<f32>(dst + <usize>o * 4, fill);
  }
}

/** out[ox] = Σ_j wx[ox·taps + j] · src[ix[ox·taps + j]]. */
@inline function resampleRow(src: usize, out: usize, ow: i32, ix: usize, wx: usize, taps: i32): void {
  if (taps == 2) {
    for (let o = 0; o < ow; o++) {
      const t = <usize>(o * 2) * 4;
      const a = load<f32>(wx + t) * load<f32>(src + (<usize>load<i32>(ix + t) << 2));
      store<f32>(out + <usize>o * 4, a + load<f32>(wx + t, 4) * load<f32>(src + (<usize>load<i32>(ix + t, 4) << 2)));
    }
    return;
  }
  if (taps == 4) {
    for (let o = 0; o < ow; o++) {
      const t = <usize>(o * 4) * 4;
      let acc: f32 = 0;
      acc += load<f32>(wx + t) * load<f32>(src + (<usize>load<i32>(ix + t) << 2));
      acc += load<f32>(wx + t, 4) * load<f32>(src + (<usize>load<i32>(ix + t, 4) << 2));
      acc += load<f32>(wx + t, 8) * load<f32>(src + (<usize>load<i32>(ix + t, 8) << 2));
      acc += load<f32>(wx + t, 12) * load<f32>(src + (<usize>load<i32>(ix + t, 12) << 2));
      store<f32>(out + <usize>o * 4, acc);
    }
    return;
  }
  for (let o = 0; o < ow; o++) {
    const t = <usize>(o * taps) * 4;
    let acc: f32 = 0;
    for (let j = 0; j < taps; j++) acc += load<f32>(wx + t + <usize>j * 4) * load<f32>(src + (<usize>load<i32>(ix + t + <usize>j * 4) << 2));
    store<f32>(out + <usize>o * 4, acc);
  }
}
