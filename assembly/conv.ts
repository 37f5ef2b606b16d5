// 2-D convolution as GEMM: Y[co, oh·ow] = W[co, ci·kh·kw] · col[ci·kh·kw, oh·ow].
// im2col writes `col` straight into the GEMM's packed 8-column panel layout, so
// the output lands in NCHW order with no transposes and no second packing pass.
import { gemm_f32_bias, gemm_packed_a_f32 } from './gemm';
import { madd } from './simd';
import { activate, load4, store8 } from './window';

/** Bytes of the packed column buffer for one group. */
export function conv_col_bytes(cig: i32, kh: i32, kw: i32, oh: i32, ow: i32): i32 {
  return ((oh * ow + 7) / 8) * cig * kh * kw * 8 * 4;
}

/**
 * Packs the receptive fields of `cig` input channels (starting at x, each h×w)
 * into panels of 8 output pixels: panel p, row (c, ky, kx) holds 8 values.
 */
export function im2col_packed(x: usize, cig: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32, out: usize): void {
  im2col_panels(x, cig, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, out, 0, (oh * ow + 7) / 8);
}

/** Panels [p0, p1) of im2col_packed (each panel is a contiguous block of `out`, so threads take panel ranges). */
export function im2col_panels(x: usize, cig: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32, out: usize,
  p0: i32, p1: i32): void {
  const n = oh * ow;
  const K = cig * kh * kw;
  // 1×1, stride 1, no padding: pixel n of the output reads pixel n of each plane,
  // so a full panel is 8 contiguous floats of the plane.
  const pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
  for (let p = p0; p < p1; p++) {
    const dstPanel = out + <usize>(p * K * 8) * 4;
    const n0 = p * 8;
    const cnt = min(8, n - n0);
    const oy0 = n0 / ow, ox0 = n0 - oy0 * ow;
    // All 8 pixels on one output row: each (c, ky, kx) row is one strided run of the input.
    const oneRow = cnt == 8 && ox0 + 8 <= ow && sw <= 2;
    for (let c = 0; c < cig; c++) {
      const plane = x + <usize>(c * h * w) * 4;
      if (pointwise && cnt == 8) {
        const row = dstPanel + <usize>(c * 8) * 4;
        v128.store(row, v128.load(plane + <usize>n0 * 4));
        v128.store(row, v128.load(plane + <usize>n0 * 4, 16), 16);
        continue;
      }
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const row = dstPanel + <usize>(((c * kh + ky) * kw + kx) * 8) * 4;
          if (oneRow) {
            const iy = oy0 * sh - pt + ky * dh;
            const ix0 = ox0 * sw - pl + kx * dw;
            if (<u32>iy >= <u32>h) {
              v128.store(row, f32x4.splat(0));
              v128.store(row, f32x4.splat(0), 16);
              continue;
            }
            if (ix0 >= 0 && ix0 + 7 * sw < w) {
              const src = plane + <usize>(iy * w + ix0) * 4;
              v128.store(row, load4(src, sw));
              v128.store(row, load4(src + <usize>(4 * sw) * 4, sw), 16);
              continue;
            }
          }
          let oy = oy0, ox = ox0;
          for (let j = 0; j < 8; j++) {
            let v: f32 = 0;
            if (j < cnt) {
              const iy = oy * sh - pt + ky * dh;
              const ix = ox * sw - pl + kx * dw;
              if (<u32>iy < <u32>h && <u32>ix < <u32>w) v = load<f32>(plane + <usize>(iy * w + ix) * 4);
              if (++ox == ow) { ox = 0; oy++; }
            }
            store<f32>(row + <usize>j * 4, v);
          }
        }
      }
    }
  }
}

/**
 * Output columns [8·p0, 8·p1) of one image's conv as a single task: packs those panels
 * (im2col_panels into `col`, same layout) and multiplies them by every output channel at
 * once, while they are still in this thread's cache. Threads that take column ranges this
 * way never read panels another core wrote, and skip the barrier between packing and GEMM.
 * wt: [co, cig·kh·kw]; bias per output channel or 0; res: residual like y, or 0.
 */
export function conv_panels_f32(x: usize, cig: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, col: usize, p0: i32, p1: i32, wt: usize, co: i32, bias: usize, res: usize, y: usize, act: i32, lo: f32, hi: f32): void {
  im2col_panels(x, cig, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col, p0, p1);
  const n = oh * ow, k = cig * kh * kw, c0 = p0 * 8;
  const cols = min(p1 * 8, n) - c0;
  const bp = col + <usize>(p0 * k * 8) * 4, yc = y + <usize>c0 * 4;
  if (res) gemm_residual_f32(wt, k, bp, yc, n, co, cols, k, bias, 2, res + <usize>c0 * 4, act, lo, hi);
  else gemm_f32_bias(wt, k, bp, yc, n, co, cols, k, bias, 2, act, lo, hi);
}

/** y = act(y + z) over n floats (the residual input of a fused Conv → Add → activation). */
export function residual_act_f32(y: usize, z: usize, n: i32, act: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(y + o, activate(f32x4.add(v128.load(y + o), v128.load(z + o)), act, vlo, vhi));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    let v = load<f32>(y + o) + load<f32>(z + o);
    if (act == 1) v = max<f32>(v, 0);
    else if (act == 2) v = min<f32>(max<f32>(v, lo), hi);
    store<f32>(y + o, v);
  }
}

/**
 * gemm_f32_bias, then y = act(y + res) over the m×n block just written (res has C's row stride):
 * one task of a split convolution adds its residual while its rows are still in cache.
 */
export function gemm_residual_f32(a: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize, biasMode: i32,
  res: usize, act: i32, lo: f32, hi: f32): void {
  gemm_f32_bias(a, lda, bp, c, ldc, m, n, k, bias, biasMode, 0, 0, 0);
  addResidual(c, res, ldc, m, n, act, lo, hi);
}

/** gemm_residual_f32 with A's 4-row groups packed (gemm_packed_a_f32). */
export function gemm_packed_a_residual_f32(a: usize, ap: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize,
  biasMode: i32, res: usize, act: i32, lo: f32, hi: f32): void {
  gemm_packed_a_f32(a, ap, lda, bp, c, ldc, m, n, k, bias, biasMode, 0, 0, 0);
  addResidual(c, res, ldc, m, n, act, lo, hi);
}

/** y = act(y + res) over an m×n block of rows `ldc` floats apart. */
@inline function addResidual(c: usize, res: usize, ldc: i32, m: i32, n: i32, act: i32, lo: f32, hi: f32): void {
  if (n == ldc) { residual_act_f32(c, res, m * n, act, lo, hi); return; }
  for (let i = 0; i < m; i++) residual_act_f32(c + <usize>(i * ldc) * 4, res + <usize>(i * ldc) * 4, n, act, lo, hi);
}

// Pointwise (1×1, stride 1, unpadded) convolution is a GEMM whose B is the NCHW image
// itself: row k of B is plane k. Reading B rows in place (8 columns at a time, row
// stride n) saves im2col's packing pass, and the residual is added in the store.
const PW_MC: i32 = 96;

/** Columns [4·half, 4·half + 4) of a row with `cols` valid floats, zero beyond (lane loads: no staging memory, so threads can share the code). */
@inline function loadCols(src: usize, cols: i32, half: i32): v128 {
  if (cols == 8) return half ? v128.load(src, 16) : v128.load(src);
  const b = half * 4;
  const p = src + <usize>b * 4;
  let v = f32x4.splat(0);
  if (b < cols) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (b + 1 < cols) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (b + 2 < cols) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (b + 3 < cols) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

/** Finishes one output row of 8 (or `cols`) columns: + residual, activation, store. */
@inline function pwStore(y: usize, res: usize, v0: v128, v1: v128, cols: i32, act: i32, lo: v128, hi: v128): void {
  if (res) {
    v0 = f32x4.add(v0, loadCols(res, cols, 0));
    v1 = f32x4.add(v1, loadCols(res, cols, 1));
  }
  store8(y, activate(v0, act, lo, hi), activate(v1, act, lo, hi), cols);
}

/** Rows [0, m) of W (row stride k) times one 8-column block of B (row stride ldb floats). */
@inline function pwBlock(w: usize, k: i32, b: usize, ldb: i32, y: usize, ldy: i32, res: usize, m: i32, cols: i32, bias: usize,
  act: i32, lo: v128, hi: v128): void {
  const bs = <usize>ldb * 4, ys = <usize>ldy * 4, ws = <usize>k * 4;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const w0 = w + <usize>i * ws, w1 = w0 + ws, w2 = w1 + ws, w3 = w2 + ws;
    let c00 = f32x4.splat(0), c10 = c00, c20 = c00, c30 = c00;
    if (bias) {
      const r = bias + <usize>i * 4;
      c00 = v128.load32_splat(r); c10 = v128.load32_splat(r, 4); c20 = v128.load32_splat(r, 8); c30 = v128.load32_splat(r, 12);
    }
    let c01 = c00, c11 = c10, c21 = c20, c31 = c30;
    let bq = b;
    for (let kk = 0; kk < k; kk++) {
      const o = <usize>kk * 4;
      const b0 = v128.load(bq), b1 = v128.load(bq, 16);
      let a = v128.load32_splat(w0 + o); c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(w1 + o); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(w2 + o); c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(w3 + o); c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      bq += bs;
    }
    const yr = y + <usize>i * ys, rr = res ? res + <usize>i * ys : 0;
    pwStore(yr, rr, c00, c01, cols, act, lo, hi);
    pwStore(yr + ys, res ? rr + ys : 0, c10, c11, cols, act, lo, hi);
    pwStore(yr + 2 * ys, res ? rr + 2 * ys : 0, c20, c21, cols, act, lo, hi);
    pwStore(yr + 3 * ys, res ? rr + 3 * ys : 0, c30, c31, cols, act, lo, hi);
  }
  for (; i < m; i++) {
    const w0 = w + <usize>i * ws;
    let c0 = bias ? v128.load32_splat(bias + <usize>i * 4) : f32x4.splat(0);
    let c1 = c0;
    let bq = b;
    for (let kk = 0; kk < k; kk++) {
      const a = v128.load32_splat(w0 + <usize>kk * 4);
      c0 = madd(a, v128.load(bq), c0);
      c1 = madd(a, v128.load(bq, 16), c1);
      bq += bs;
    }
    pwStore(y + <usize>i * ys, res ? res + <usize>i * ys : 0, c0, c1, cols, act, lo, hi);
  }
}

/**
 * 1×1 stride-1 unpadded Conv of one image: y [co, n] = w [co, ci] · x [ci, n] + bias
 * (+ res [co, n]), activated. `tail`: scratch of ci × 8 floats for the last n % 8 columns.
 */
export function pointwise_f32(x: usize, ci: i32, n: i32, wt: usize, co: i32, bias: usize, res: usize, y: usize, tail: usize,
  act: i32, lo: f32, hi: f32): void {
  pointwise_cols_f32(x, ci, n, n, wt, co, bias, res, y, tail, act, lo, hi);
}

/**
 * pointwise_f32 on `n` columns of planes whose row stride is `ld` floats (x, res and y point at
 * the first column): threads take ranges of pixels, each reading only its share of the image.
 */
export function pointwise_cols_f32(x: usize, ci: i32, n: i32, ld: i32, wt: usize, co: i32, bias: usize, res: usize, y: usize, tail: usize,
  act: i32, lo: f32, hi: f32): void {
  const full = n & ~7;
  if (full < n) {
    // The last columns, zero-padded to 8, as a packed panel (row stride 8).
    const cnt = n - full;
    for (let k = 0; k < ci; k++) {
      const row = tail + <usize>(k * 8) * 4;
      v128.store(row, f32x4.splat(0));
      v128.store(row, f32x4.splat(0), 16);
      memory.copy(row, x + <usize>(k * ld + full) * 4, <usize>cnt * 4);
    }
  }
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let i0 = 0; i0 < co; i0 += PW_MC) {
    const mc = min(PW_MC, co - i0);
    const w = wt + <usize>(i0 * ci) * 4, b = bias ? bias + <usize>i0 * 4 : 0;
    const yb = y + <usize>(i0 * ld) * 4, rb = res ? res + <usize>(i0 * ld) * 4 : 0;
    for (let n0 = 0; n0 < n; n0 += 8) {
      const isTail = n0 >= full;
      const o = <usize>n0 * 4;
      pwBlock(w, ci, isTail ? tail : x + o, isTail ? 8 : ld, yb + o, ld, res ? rb + o : 0, mc, min(8, n - n0), b, act, vlo, vhi);
    }
  }
}

/**
 * Grouped 2-D convolution of one image: x [ci, h, w] → y [co, oh, ow] with
 * weights w [co, ci/g, kh, kw], per-channel bias (or 0), an optional residual
 * res [co, oh, ow] (or 0) added before the fused activation.
 * `col` is scratch of conv_col_bytes(ci/g, …).
 */
export function conv2d_f32(x: usize, ci: i32, h: i32, w: i32, wt: usize, co: i32, kh: i32, kw: i32, group: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32, bias: usize, res: usize, y: usize, col: usize, act: i32, lo: f32, hi: f32): void {
  const cig = ci / group, cog = co / group;
  const K = cig * kh * kw, N = oh * ow;
  for (let g = 0; g < group; g++) {
    im2col_packed(x + <usize>(g * cig * h * w) * 4, cig, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col);
    gemm_f32_bias(wt + <usize>(g * cog * K) * 4, K, col, y + <usize>(g * cog * N) * 4, N, cog, N, K,
      bias ? bias + <usize>(g * cog) * 4 : 0, 2, res ? 0 : act, lo, hi);
  }
  if (res) residual_act_f32(y, res, co * N, act, lo, hi);
}
