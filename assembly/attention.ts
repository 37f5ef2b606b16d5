// Attention's score rows on the engine: scale, add the mask row, softmax — one row
// at a time and in place, so each row is still in cache for the softmax.
import { softmax_f32 } from './elementwise';

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
