// f32 GEMM: C[m×n] = A[m×k] · B[k×n] (+ bias[n]) (+ activation), with B packed
// once into panels of 8 columns (k rows × 8 floats, zero-padded), the layout the
// 4×8 "loadsplat" micro-kernel streams: per k, one splat of A per row, two loads
// of B, eight multiply-adds into register accumulators. 4 rows, not 5 or 6: V8 keeps
// one of x64's 16 vector registers for itself and larger tiles spill or schedule worse
// (measured 960×1024² on one core, CPU time, simd128 / relaxed GFLOP/s: 4×8 36 / 43,
// 5×8 29 / 29, 6×8 29 / 32, 3×8 30 / 28).
import { activate, madd } from './simd';

const NR: i32 = 8;
const MR: i32 = 4;

/**
 * A block's first 4-row group reads its panel of B from beyond L2 (weights are used once per
 * run), at about 8 GB/s here: 4×768×768 took 0.29 ms with B in L3 against 0.10 in L2. So
 * after each group a block loads its share of the next panel's cache lines, which then
 * arrive while the later groups multiply. Wasm has no prefetch: the loads are OR-ed into
 * `touchSink` so that they are kept. Measured relaxed, one thread, weights cycled from L3:
 * 128×768×768 3.24–3.34 → 3.09 ms, 128×3072×768 13.0 → 12.1–12.5 ms; BERT-base faster in
 * 4 of 5 process pairs (0.3–4.5%), 2.6% slower in one. Only for panels of 256–768 k-steps
 * (8–24 KB, so this one and the next fit L1 together: at 1024, 1024³ lost 6%) and blocks of
 * 32 rows or more (fewer leave nothing to hide the loads behind).
 */
const TOUCH_MIN_K: i32 = 256, TOUCH_MAX_K: i32 = 768, TOUCH_MIN_M: i32 = 32;
let touchSink = f32x4.splat(0);

/** Bytes needed to pack a k×n matrix into 8-column panels. */
export function packed_b_bytes(k: i32, n: i32): i32 {
  return ((n + NR - 1) / NR) * k * NR * 4;
}

/** Packs row-major B (k×n, row stride ldb floats; transposed when transB) into 8-column panels. */
export function pack_b_f32(b: usize, k: i32, n: i32, ldb: i32, transB: i32, out: usize): void {
  const panels = (n + NR - 1) / NR;
  for (let p = 0; p < panels; p++) {
    const n0 = p * NR;
    const cols = min(NR, n - n0);
    const dst = out + <usize>(p * k * NR) * 4;
    if (!transB && cols == NR) {
      // Full panel of a row-major B: each k row is two vector copies (packing runs per call for dynamic MatMul).
      for (let kk = 0; kk < k; kk++) {
        const src = b + <usize>(kk * ldb + n0) * 4;
        v128.store(dst + <usize>(kk * NR) * 4, v128.load(src));
        v128.store(dst + <usize>(kk * NR) * 4, v128.load(src, 16), 16);
      }
      continue;
    }
    for (let kk = 0; kk < k; kk++) {
      const row = dst + <usize>(kk * NR) * 4;
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < cols) {
          v = transB ? load<f32>(b + <usize>((n0 + j) * ldb + kk) * 4) : load<f32>(b + <usize>(kk * ldb + n0 + j) * 4);
        }
        store<f32>(row + <usize>j * 4, v);
      }
    }
  }
}

// Cache blocking: MC rows of A stay in L2 while every 8-column panel streams past them.
// K blocks of 256–512 measured slower than none up to k = 1024 (the panel slice of
// 1024 × 8 floats = 32 KB still fits L1), so K is only split beyond 1024.
// Every MC block streams all of B once: MC = 128 covers a transformer's 128-token
// rows in one block, so its weights (read from L3/DRAM in a model run) stream once,
// not twice (BERT 128×768×3072 over 30 weight matrices: 43 vs 40 GFLOP/s relaxed);
// the A block (128 × 1024 floats = 512 KB) still fits L2.
export const KC: i32 = 1024;
export const MC: i32 = 128;

/**
 * C = A·Bpacked (+bias) with fused activation. A is row-major with row stride lda;
 * C row stride ldc. bias may be 0 (none). The activation is applied after the last K block.
 */
export function gemm_f32(a: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize, act: i32, lo: f32, hi: f32): void {
  gemm_f32_bias(a, lda, bp, c, ldc, m, n, k, bias, 1, act, lo, hi);
}

/** As gemm_f32, with biasMode 1 = one bias per column (bias[n]), 2 = one per row (bias[m]). */
export function gemm_f32_bias(a: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize, biasMode: i32, act: i32, lo: f32, hi: f32): void {
  gemmDriver(a, 0, lda, bp, c, ldc, m, n, k, bias, biasMode, act, lo, hi);
}

/** Bytes pack_a_f32 writes for an m×k A: its whole 4-row groups (m rounded down to 4). */
export function packed_a_bytes(m: i32, k: i32): i32 {
  return (m & ~(MR - 1)) * k * 4;
}

/**
 * Packs A's whole 4-row groups k-major: per k, the group's four values side by side, so the
 * micro-kernel reads one stream at immediate offsets instead of four rows `lda` apart. Split
 * relaxed jobs read it (see parallel-gemm.ts). Neither loop runs as fast over the shared
 * memory of the -mt builds as over a plain one (bench/gemm-kernel.mjs, 128×768×768, relaxed,
 * 2026-11-22: strided 51–53 against 53–55 GFLOP/s; packed 51.5–53.4 against 57–59 before its
 * loop in gemm_packed_a_f32 ended on B's pointer, for which see there). The x64 loop is the same
 * but for register allocation: over the shared memory V8 recomputed or reloaded its offset bases
 * every step.
 */
export function pack_a_f32(a: usize, lda: i32, m: i32, k: i32, out: usize): void {
  for (let i = 0; i + MR <= m; i += MR) {
    const r0 = a + <usize>(i * lda) * 4, rs = <usize>lda * 4;
    const r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
    const o = out + <usize>(i * k) * 4;
    let kk = 0;
    for (; kk + 4 <= k; kk += 4) {
      // A 4×4 transpose: rows r0..r3 at kk..kk+3 become four k-steps of four rows.
      const q = <usize>kk * 4;
      const x0 = v128.load(r0 + q), x1 = v128.load(r1 + q), x2 = v128.load(r2 + q), x3 = v128.load(r3 + q);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      const d = o + <usize>kk * 16;
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2)); v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 16);
      v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 32); v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 48);
    }
    for (; kk < k; kk++) {
      const q = <usize>kk * 4, d = o + <usize>kk * 16;
      store<f32>(d, load<f32>(r0 + q)); store<f32>(d, load<f32>(r1 + q), 4);
      store<f32>(d, load<f32>(r2 + q), 8); store<f32>(d, load<f32>(r3 + q), 12);
    }
  }
}

/**
 * gemm_f32_bias with A's whole 4-row groups read from `ap` (pack_a_f32 of the same A); the
 * rows past them still come from `a`. Same sums in the same order: the same bits.
 */
export function gemm_packed_a_f32(a: usize, ap: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize, biasMode: i32,
  act: i32, lo: f32, hi: f32): void {
  gemmDriver(a, ap, lda, bp, c, ldc, m, n, k, bias, biasMode, act, lo, hi);
}

/** The blocked loop over K, rows and panels; `ap` (0: none) is A packed by pack_a_f32. */
@inline function gemmDriver(a: usize, ap: usize, lda: i32, bp: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, bias: usize, biasMode: i32,
  act: i32, lo: f32, hi: f32): void {
  const panels = (n + NR - 1) / NR;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const first = k0 == 0;
    const last = k0 + kc >= k;
    // The bias is the start of the first K block only; the activation ends the last one.
    const mode = first && bias != 0 ? biasMode : 0, blockAct = last ? act : 0;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      let p = 0;
      if (mc < MR) {
        // Fewer rows than the micro-kernel's 4 (a GEMV: a classifier on one image): the
        // 4×8 tile would leave two dependent add chains per row and one memory stream, so
        // four panels go at once (measured 1×1000×1280, B from memory: 0.475 → 0.300 ms simd128, 0.455 → 0.266 relaxed).
        for (; p + 4 <= panels; p += 4) {
          const n0 = p * NR;
          const b = mode ? blockBias(bias, biasMode, n0, i0) : 0;
          rows4Panels(a + <usize>(i0 * lda + k0) * 4, lda, bp + <usize>(p * k + k0) * NR * 4, <usize>k * NR * 4, c + <usize>(i0 * ldc + n0) * 4, ldc,
            mc, min(4 * NR, n - n0), kc, b, mode, first, blockAct, lo, hi);
        }
      }
      for (; p < panels; p++) {
        const n0 = p * NR;
        const b = mode ? blockBias(bias, biasMode, n0, i0) : 0;
        const touches = p + 1 < panels && kc >= TOUCH_MIN_K && kc <= TOUCH_MAX_K && mc >= TOUCH_MIN_M;
        const next = touches ? bp + <usize>((p + 1) * k + k0) * NR * 4 : 0;
        block(a + <usize>(i0 * lda + k0) * 4, lda, ap ? ap + <usize>(i0 * k + k0 * MR) * 4 : 0, <usize>k * MR * 4, bp + <usize>(p * k + k0) * NR * 4,
          next, c + <usize>(i0 * ldc + n0) * 4, ldc, mc, min(NR, n - n0), kc, b, mode, first, blockAct, lo, hi);
      }
    }
  }
}

/** The bias a block starting at column n0, row i0 reads: per column (mode 1) or per row (mode 2). */
@inline function blockBias(bias: usize, biasMode: i32, n0: i32, i0: i32): usize {
  return biasMode == 1 ? bias + <usize>n0 * 4 : bias + <usize>i0 * 4;
}

/**
 * One MC×8 block over kc: rows 4 at a time, then singly; starts from bias (first) or C. With
 * `ap`, the 4-row groups read packed A (groups `gs` bytes apart). With `next` (the next
 * panel's kc steps, or 0), the 4-row groups load its cache lines between them (see touchSink).
 * With `split` (full panels, first, one K block), each row of C is stored parity-split: its even
 * columns at C, its odd ones `oddDelta` bytes away (a depthwise conv's stride-2 padded plane).
 */
@inline export function block(a: usize, lda: i32, ap: usize, gs: usize, panel: usize, next: usize, c: usize, ldc: i32, m: i32, cols: i32, k: i32, bias: usize, biasMode: i32,
  first: bool, act: i32, lo: f32, hi: f32, split: bool = false, oddDelta: isize = 0): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  if (biasMode == 1) {
    // Column bias is read as 8 lanes; the caller pads bias to a multiple of 8.
    b0 = v128.load(bias);
    b1 = v128.load(bias, 16);
  }
  const rs = <usize>ldc * 4;
  // The next panel's kc·32 bytes are (kc + 1) / 2 cache lines of 64, spread over the 4-row groups.
  const lines = (k + 1) >> 1, groups = max(1, m >> 2), perGroup = (lines + groups - 1) / groups;
  let i = 0;
  for (; i + MR <= m; i += MR) {
    const a0 = a + <usize>(i * lda) * 4;
    const a1 = a0 + <usize>lda * 4, a2 = a1 + <usize>lda * 4, a3 = a2 + <usize>lda * 4;
    const c0 = c + <usize>(i * ldc) * 4;
    let c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
    let c30 = b0, c31 = b1;
    if (biasMode == 2) {
      const r = bias + <usize>i * 4;
      c00 = c01 = v128.load32_splat(r); c10 = c11 = v128.load32_splat(r, 4); c20 = c21 = v128.load32_splat(r, 8);
      c30 = c31 = v128.load32_splat(r, 12);
    }
    if (!first) {
      c00 = loadRow(c0, 0, cols); c01 = loadRow(c0, 1, cols);
      c10 = loadRow(c0 + rs, 0, cols); c11 = loadRow(c0 + rs, 1, cols);
      c20 = loadRow(c0 + 2 * rs, 0, cols); c21 = loadRow(c0 + 2 * rs, 1, cols);
      c30 = loadRow(c0 + 3 * rs, 0, cols); c31 = loadRow(c0 + 3 * rs, 1, cols);
    }
    let bq = panel;
    // No k unroll: unrolled by 2 or 4 (immediate offsets), both builds measured slower
    // on V8/x64 (1024³ simd128 29 vs 36 GFLOP/s; relaxed 31 vs 43 at 2×).
    if (ap) {
      let pa = ap + <usize>(i / MR) * gs;
      // Ended by B's pointer, not a step count: V8 compiles this form faster over the -mt builds'
      // shared memory (bench/gemm-kernel.mjs --packed, relaxed -mt, one process, four shapes:
      // +2.8 to +5.7%, 128×768×768 52.0 → 54.0 GFLOP/s). Written so, the strided loop ran slower.
      const bend = bq + <usize>k * NR * 4;
      while (bq < bend) {
        const w0 = v128.load(bq), w1 = v128.load(bq, 16);
        let x = v128.load32_splat(pa); c00 = madd(x, w0, c00); c01 = madd(x, w1, c01);
        x = v128.load32_splat(pa, 4); c10 = madd(x, w0, c10); c11 = madd(x, w1, c11);
        x = v128.load32_splat(pa, 8); c20 = madd(x, w0, c20); c21 = madd(x, w1, c21);
        x = v128.load32_splat(pa, 12); c30 = madd(x, w0, c30); c31 = madd(x, w1, c31);
        bq += 32; pa += 16;
      }
    } else {
      let pa0 = a0, pa1 = a1, pa2 = a2, pa3 = a3;
      for (let kk = 0; kk < k; kk++) {
        const w0 = v128.load(bq), w1 = v128.load(bq, 16);
        let x = v128.load32_splat(pa0); c00 = madd(x, w0, c00); c01 = madd(x, w1, c01);
        x = v128.load32_splat(pa1); c10 = madd(x, w0, c10); c11 = madd(x, w1, c11);
        x = v128.load32_splat(pa2); c20 = madd(x, w0, c20); c21 = madd(x, w1, c21);
        x = v128.load32_splat(pa3); c30 = madd(x, w0, c30); c31 = madd(x, w1, c31);
        bq += 32; pa0 += 4; pa1 += 4; pa2 += 4; pa3 += 4;
      }
    }
    storeC(c0, activate(c00, act, vlo, vhi), activate(c01, act, vlo, vhi), cols, split, oddDelta);
    storeC(c0 + rs, activate(c10, act, vlo, vhi), activate(c11, act, vlo, vhi), cols, split, oddDelta);
    storeC(c0 + 2 * rs, activate(c20, act, vlo, vhi), activate(c21, act, vlo, vhi), cols, split, oddDelta);
    storeC(c0 + 3 * rs, activate(c30, act, vlo, vhi), activate(c31, act, vlo, vhi), cols, split, oddDelta);
    if (next) {
      const l0 = (i >> 2) * perGroup, l1 = min(lines, l0 + perGroup);
      // Kept in a local across this loop only: a vector live through the k-loop above spills.
      let touched = touchSink;
      for (let l = l0; l < l1; l++) touched = v128.or(touched, v128.load(next + (<usize>l << 6)));
      touchSink = touched;
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>(i * lda) * 4;
    const c0 = c + <usize>(i * ldc) * 4;
    let c00 = b0, c01 = b1;
    if (biasMode == 2) c00 = c01 = v128.load32_splat(bias + <usize>i * 4);
    if (!first) { c00 = loadRow(c0, 0, cols); c01 = loadRow(c0, 1, cols); }
    let bq = panel;
    for (let kk = 0; kk < k; kk++) {
      const x = v128.load32_splat(a0 + <usize>kk * 4);
      c00 = madd(x, v128.load(bq), c00);
      c01 = madd(x, v128.load(bq, 16), c01);
      bq += 32;
    }
    storeC(c0, activate(c00, act, vlo, vhi), activate(c01, act, vlo, vhi), cols, split, oddDelta);
  }
}

/** A row of C from block(): storeRow, or with `split` its even lanes at dst and its odd ones at dst + oddDelta. */
@inline function storeC(dst: usize, v0: v128, v1: v128, cols: i32, split: bool, oddDelta: isize): void {
  if (split) {
    v128.store(dst, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
    v128.store(<usize>(<isize>dst + oddDelta), v128.shuffle<f32>(v0, v1, 1, 3, 5, 7));
    return;
  }
  storeRow(dst, v0, v1, cols);
}

/**
 * Rows [0, m) (m < 4) times four consecutive panels (`ps` bytes apart; the last may be
 * partial: `cols` ≤ 32 valid columns): eight independent accumulators per row and four
 * streams of B. Each output still sums its k products in order from the same start, so
 * results equal block()'s bit for bit.
 */
@inline function rows4Panels(a: usize, lda: i32, panel: usize, ps: usize, c: usize, ldc: i32, m: i32, cols: i32, k: i32, bias: usize, biasMode: i32,
  first: bool, act: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  for (let i = 0; i < m; i++) {
    const a0 = a + <usize>(i * lda) * 4;
    const c0 = c + <usize>(i * ldc) * 4;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    if (biasMode == 1) {
      s0 = v128.load(bias); s1 = v128.load(bias, 16); s2 = v128.load(bias, 32); s3 = v128.load(bias, 48);
      s4 = v128.load(bias, 64); s5 = v128.load(bias, 80); s6 = v128.load(bias, 96); s7 = v128.load(bias, 112);
    } else if (biasMode == 2) {
      s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = v128.load32_splat(bias + <usize>i * 4);
    }
    if (!first) {
      s0 = v128.load(c0); s1 = v128.load(c0, 16); s2 = v128.load(c0, 32); s3 = v128.load(c0, 48);
      s4 = v128.load(c0, 64); s5 = v128.load(c0, 80); s6 = loadRow(c0 + 96, 0, cols - 24); s7 = loadRow(c0 + 96, 1, cols - 24);
    }
    let q0 = panel, q1 = panel + ps, q2 = q1 + ps, q3 = q2 + ps;
    for (let kk = 0; kk < k; kk++) {
      const x = v128.load32_splat(a0 + <usize>kk * 4);
      s0 = madd(x, v128.load(q0), s0); s1 = madd(x, v128.load(q0, 16), s1);
      s2 = madd(x, v128.load(q1), s2); s3 = madd(x, v128.load(q1, 16), s3);
      s4 = madd(x, v128.load(q2), s4); s5 = madd(x, v128.load(q2, 16), s5);
      s6 = madd(x, v128.load(q3), s6); s7 = madd(x, v128.load(q3, 16), s7);
      q0 += 32; q1 += 32; q2 += 32; q3 += 32;
    }
    storeRow(c0, activate(s0, act, vlo, vhi), activate(s1, act, vlo, vhi), NR);
    storeRow(c0 + 32, activate(s2, act, vlo, vhi), activate(s3, act, vlo, vhi), NR);
    storeRow(c0 + 64, activate(s4, act, vlo, vhi), activate(s5, act, vlo, vhi), NR);
    storeRow(c0 + 96, activate(s6, act, vlo, vhi), activate(s7, act, vlo, vhi), cols - 24);
  }
}

// Partial panels (the last one when n is not a multiple of 8) touch only their `cols`
// floats of C, lane by lane: no static scratch, so threads sharing one memory can't collide.
@inline function loadRow(src: usize, half: i32, cols: i32): v128 {
  if (cols == NR) return half ? v128.load(src, 16) : v128.load(src);
  const c = cols - (half ? 4 : 0);
  const p = src + (half ? 16 : 0);
  if (c >= 4) return v128.load(p);
  if (c == 3) return f32x4.replace_lane(v128.load64_zero(p), 2, load<f32>(p, 8));
  if (c == 2) return v128.load64_zero(p);
  if (c == 1) return v128.load32_zero(p);
  return f32x4.splat(0);
}

@inline function storeRow(dst: usize, v0: v128, v1: v128, cols: i32): void {
  if (cols == NR) {
    v128.store(dst, v0);
    v128.store(dst, v1, 16);
    return;
  }
  let v = v0, p = dst, c = cols;
  if (c >= 4) { v128.store(p, v0); v = v1; p += 16; c -= 4; }
  if (c >= 2) {
    store<i64>(p, i64x2.extract_lane(v, 0));
    if (c == 3) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  } else if (c == 1) {
    store<f32>(p, f32x4.extract_lane(v, 0));
  }
}
