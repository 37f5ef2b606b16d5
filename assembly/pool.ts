// 2-D MaxPool / AveragePool over NCHW planes and GlobalAveragePool. Each plane is
// copied into a padded scratch plane (−Inf for max, 0 for average) so windows need
// no bounds checks; outputs are computed 8 at a time along the row.
import { load4, padPlane, paddedHeight, paddedWidth, store8 } from './window';

@inline function poolPlane(isMax: bool, pad: usize, wp: i32, kh: i32, kw: i32, y: usize, oh: i32, ow: i32, sh: i32, sw: i32, dh: i32, dw: i32, invH: usize, invW: usize): void {
  const step = <usize>(sw * 4) * 4;
  const init = f32x4.splat(isMax ? -Infinity : 0);
  for (let oy = 0; oy < oh; oy++) {
    const row = pad + <usize>(oy * sh * wp) * 4;
    const yr = y + <usize>(oy * ow) * 4;
    for (let ox = 0; ox < ow; ox += 8) {
      let a = init, e = init;
      for (let ky = 0; ky < kh; ky++) {
        const r = row + <usize>(ky * dh * wp + ox * sw) * 4;
        for (let kx = 0; kx < kw; kx++) {
          const p = r + <usize>(kx * dw) * 4;
          // pmax(acc, v) = acc < v ? v : acc: NaN inputs are skipped like the reference's `v > acc`.
          if (isMax) { a = f32x4.pmax(a, load4(p, sw)); e = f32x4.pmax(e, load4(p + step, sw)); }
          else { a = f32x4.add(a, load4(p, sw)); e = f32x4.add(e, load4(p + step, sw)); }
        }
      }
      if (!isMax) {
        const ih = v128.load32_splat(invH + <usize>oy * 4);
        a = f32x4.mul(f32x4.mul(a, v128.load(invW + <usize>ox * 4)), ih);
        e = f32x4.mul(f32x4.mul(e, v128.load(invW + <usize>ox * 4, 16)), ih);
      }
      store8(yr + <usize>ox * 4, a, e, ow - ox);
    }
  }
}

/**
 * Pools `planes` planes x [planes, h, w] → y [planes, oh, ow]. Average pooling
 * multiplies by invH[oy] · invW[ox] (1 / per-dim divisor; invW padded to a multiple of 8).
 * `pad` is scratch of window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw).
 */
export function pool2d_f32(isMax: i32, x: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32, invH: usize, invW: usize, y: usize, pad: usize): void {
  const hp = paddedHeight(oh, sh, kh, dh), wp = paddedWidth(ow, sw, kw, dw);
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>(p * h * w) * 4, yp = y + <usize>(p * oh * ow) * 4;
    padPlane(xp, h, w, pad, hp, wp, pt, pl, isMax ? -Infinity : 0);
    if (isMax) {
      if (sw == 1) poolPlane(true, pad, wp, kh, kw, yp, oh, ow, sh, 1, dh, dw, invH, invW);
      else if (sw == 2) poolPlane(true, pad, wp, kh, kw, yp, oh, ow, sh, 2, dh, dw, invH, invW);
      else poolPlane(true, pad, wp, kh, kw, yp, oh, ow, sh, sw, dh, dw, invH, invW);
    } else if (sw == 1) poolPlane(false, pad, wp, kh, kw, yp, oh, ow, sh, 1, dh, dw, invH, invW);
    else if (sw == 2) poolPlane(false, pad, wp, kh, kw, yp, oh, ow, sh, 2, dh, dw, invH, invW);
    else poolPlane(false, pad, wp, kh, kw, yp, oh, ow, sh, sw, dh, dw, invH, invW);
  }
}

/** Mean of each of `planes` planes of n floats (accumulated in f64). */
export function global_avg_f32(x: usize, planes: i32, n: i32, y: usize): void {
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>(p * n) * 4;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(xp + <usize>i * 4);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3)));
    }
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    for (; i < n; i++) s += <f64>load<f32>(xp + <usize>i * 4);
    store<f32>(y + <usize>p * 4, <f32>(s / <f64>n));
  }
}
