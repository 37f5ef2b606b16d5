// Attention's score rows on the engine: scale, add the mask row, softmax — one row
// at a time and in place, so each row is still in cache for the softmax.
import { softmax_f32 } from './elementwise';
import { gemm_f32_bias, pack_b_f32, packed_b_bytes } from './gemm';

/**
 * Each of `rows` rows of n floats at s becomes softmax(s ÷ scale + mask) (s × scale
 * when divide = 0), in float32 like the unfused Div, Add and Softmax. Row r adds
 * mask[maskOffs[r] + j·maskStride] (maskOffs: i32 element offsets; mask = 0: no mask).
 */
export function attention_softmax_f32(s: usize, rows: i32, n: i32, scale: f32, divide: i32, mask: usize, maskOffs: usize, maskStride: i32): void {
  const vs = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const p = s + <usize>(r * n) * 4;
    const m = mask ? mask + <usize>load<i32>(maskOffs + <usize>r * 4) * 4 : 0;
    let j = 0;
    if (mask == 0 || maskStride == 1) {
      for (; j + 4 <= n; j += 4) {
        let v = v128.load(p + <usize>j * 4);
        v = divide ? f32x4.div(v, vs) : f32x4.mul(v, vs);
        if (mask) v = f32x4.add(v, v128.load(m + <usize>j * 4));
        v128.store(p + <usize>j * 4, v);
      }
    }
    for (; j < n; j++) {
      let v = load<f32>(p + <usize>j * 4);
      v = divide ? v / scale : v * scale;
      if (mask) v += load<f32>(m + <usize>(j * maskStride) * 4);
      store<f32>(p + <usize>j * 4, v);
    }
    softmax_f32(p, p, 1, n);
  }
}

/** Scratch bytes of one attention_heads_f32 task: Kᵀ and V packed into panels, and one head's scores. */
export function attention_heads_work_bytes(s: i32, l: i32, dk: i32, dv: i32): i32 {
  return packed_b_bytes(dk, l) + packed_b_bytes(l, dv) + ((s * l * 4 + 15) & ~15);
}

/**
 * Heads [h0, h1) of one batch item in the packed-heads layout: q [s, H·dk] (row stride ldq),
 * k [l, H·dk] (ldk), v [l, H·dv] (ldv) → y [s, H·dv] (ldy). Each head reads its columns in
 * place: Kᵀ and V are packed straight from them, Q·Kᵀ and P·V run on the GEMM, and the scores
 * are scaled, masked and normalised by attention_softmax_f32 (maskOffs: this item's first row
 * of [H, s] rows). A whole head per call, so threads can take heads.
 */
export function attention_heads_f32(q: usize, k: usize, v: usize, y: usize, s: i32, l: i32, dk: i32, dv: i32,
  ldq: i32, ldk: i32, ldv: i32, ldy: i32, h0: i32, h1: i32, scale: f32, divide: i32, mask: usize, maskOffs: usize, maskStride: i32, work: usize): void {
  const kp = work;
  const vp = kp + <usize>packed_b_bytes(dk, l);
  const sc = vp + <usize>packed_b_bytes(l, dv);
  for (let h = h0; h < h1; h++) {
    pack_b_f32(k + <usize>(h * dk) * 4, dk, l, ldk, 1, kp);
    gemm_f32_bias(q + <usize>(h * dk) * 4, ldq, kp, sc, l, s, l, dk, 0, 0, 0, 0, 0);
    attention_softmax_f32(sc, s, l, scale, divide, mask, maskOffs + <usize>(h * s) * 4, maskStride);
    pack_b_f32(v + <usize>(h * dv) * 4, l, dv, ldv, 0, vp);
    gemm_f32_bias(sc, l, vp, y + <usize>(h * dv) * 4, ldy, s, dv, l, 0, 0, 0, 0, 0);
  }
}
