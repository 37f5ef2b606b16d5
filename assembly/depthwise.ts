// Depthwise 2-D convolution (group = C_in = C_out), NCHW: each channel plane is
// copied into a zero-padded scratch plane, then output rows are computed in blocks
// of 8 pixels (two f32x4 accumulators) along the output width. 3×3 kernels keep
// their nine weights in registers; stride 1 and 2 load contiguously.
import { madd } from './simd';
import { activate, load4, padPlane, paddedHeight, paddedWidth, store8 } from './window';

@inline function plane3x3(pad: usize, wp: i32, w: usize, b: f32, y: usize, oh: i32, ow: i32, sh: i32, sw: i32, dh: i32, dw: i32, act: i32, lo: v128, hi: v128, exactRow: i32): void {
  const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4), w2 = v128.load32_splat(w, 8);
  const w3 = v128.load32_splat(w, 12), w4 = v128.load32_splat(w, 16), w5 = v128.load32_splat(w, 20);
  const w6 = v128.load32_splat(w, 24), w7 = v128.load32_splat(w, 28), w8 = v128.load32_splat(w, 32);
  const bv = f32x4.splat(b);
  const step = <usize>(sw * 4) * 4;
  const ddx = <usize>dw * 4, ddy = <usize>(dh * wp) * 4;
  for (let oy = 0; oy < oh; oy++) {
    const r0 = pad + <usize>(oy * sh * wp) * 4;
    const r1 = r0 + ddy, r2 = r1 + ddy;
    const yr = y + <usize>(oy * ow) * 4;
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
      store8(yr + <usize>ox * 4, activate(a, act, lo, hi), activate(e, act, lo, hi), oy < exactRow ? 8 : ow - ox);
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

/**
 * Depthwise conv of one image: x [c, h, w] → y [c, oh, ow], weights [c, 1, kh, kw],
 * bias [c] (0 = none), fused activation (0 none, 1 relu, 2 clip(lo, hi)).
 * `pad` is scratch of window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw).
 */
export function depthwise_f32(x: usize, c: i32, h: i32, w: i32, wt: usize, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32, bias: usize, y: usize, pad: usize, act: i32, lo: f32, hi: f32): void {
  const hp = paddedHeight(oh, sh, kh, dh), wp = paddedWidth(ow, sw, kw, dw);
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let ch = 0; ch < c; ch++) {
    padPlane(x + <usize>(ch * h * w) * 4, h, w, pad, hp, wp, pt, pl, 0);
    const wc = wt + <usize>(ch * kh * kw) * 4;
    const b: f32 = bias ? load<f32>(bias + <usize>ch * 4) : 0;
    const yc = y + <usize>(ch * oh * ow) * 4;
    // A row's last block may spill up to 7 floats into the next row or plane, which are
    // written after it; only the very last row of the image must store exactly.
    const exactRow = ch == c - 1 ? oh - 1 : oh;
    if (kh == 3 && kw == 3) {
      if (sw == 1) plane3x3(pad, wp, wc, b, yc, oh, ow, sh, 1, dh, dw, act, vlo, vhi, exactRow);
      else if (sw == 2) plane3x3(pad, wp, wc, b, yc, oh, ow, sh, 2, dh, dw, act, vlo, vhi, exactRow);
      else plane3x3(pad, wp, wc, b, yc, oh, ow, sh, sw, dh, dw, act, vlo, vhi, exactRow);
    } else if (sw == 1) planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, 1, dh, dw, act, vlo, vhi, exactRow);
    else if (sw == 2) planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, 2, dh, dw, act, vlo, vhi, exactRow);
    else planeAny(pad, wp, wc, kh, kw, b, yc, oh, ow, sh, sw, dh, dw, act, vlo, vhi, exactRow);
  }
}
