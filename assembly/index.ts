// Engine entry: every kernel the wasm backend calls, plus a bump allocator for its arenas.
export { gemm_f32, gemm_f32_bias, pack_b_f32, packed_b_bytes } from './gemm';
export { conv2d_f32, conv_col_bytes, im2col_packed } from './conv';
export { depthwise_f32 } from './depthwise';
export { global_avg_f32, pool2d_f32 } from './pool';
export { window_pad_bytes } from './window';
export { binary_f32, layernorm_f32, softmax_f32, unary_f32 } from './elementwise';

let top: usize = (__heap_base + 15) & ~15;

/** Reserves `bytes` (16-byte aligned) at the end of the heap, growing memory as needed. */
export function alloc(bytes: usize): usize {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const need = <i32>((top + 0xffff) >>> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) unreachable();
  return p;
}

/** Frees everything allocated so far (sessions own whole engine instances). */
export function reset(): void {
  top = (__heap_base + 15) & ~15;
}
