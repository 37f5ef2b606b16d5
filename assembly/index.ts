// Engine entry: every kernel the wasm backend calls, plus a bump allocator for its arenas.
export { gemm_f32, gemm_f32_bias, gemm_packed_a_f32, pack_a_f32, pack_b_f32, packed_a_bytes, packed_b_bytes } from './gemm';
export { conv2d_f32, conv_col_bytes, conv_panels_f32, gemm_packed_a_residual_f32, gemm_residual_f32, im2col_packed, im2col_panels, pointwise_cols_f32, pointwise_f32, residual_act_f32 } from './conv';
export { depthwise_f32, pointwise_depthwise_f32, pointwise_depthwise_plane_bytes } from './depthwise';
export { winograd_f32, winograd_gemm_f32, winograd_input_f32, winograd_output_f32, winograd_scratch_bytes, winograd_task_bytes, winograd_tiles_bytes, winograd_tiles_f32 } from './winograd';
export { global_avg_f32, pool2d_f32 } from './pool';
export { window_pad_bytes } from './window';
export { binary_f32, layernorm_f32, softmax_f32, unary_f32 } from './elementwise';
export { attention_heads_f32, attention_heads_work_bytes, attention_softmax_f32 } from './attention';
export { transpose_f32 } from './transpose';
export { channel_affine_f32, instancenorm_f32, lrn_f32, reduce_f32 } from './reduce';
export { col2im_add_f32 } from './conv-transpose';
export { resize_nearest_f32, resize_ring_bytes, resize_weighted_f32 } from './resize';
export { copy_rows_f32, gather_f32, pad_rows_f32 } from './movement';

let top: usize = (__heap_base + 15) & ~15;

/** Reserves `bytes` (16-byte aligned) at the end of the heap, growing memory as needed. */
export function alloc(bytes: usize): usize {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const need = <i32>((top + 0xffff) >>> 16) - memory.size();
  // Grow at least by doubling: each grow can cost the host a full GC (it counts wasm memory as
  // external memory), and pages reserved but never touched cost no resident memory.
  if (need > 0 && memory.grow(max(need, memory.size())) < 0 && memory.grow(need) < 0) unreachable();
  return p;
}

/** Frees everything allocated so far (sessions own whole engine instances). */
export function reset(): void {
  top = (__heap_base + 15) & ~15;
}
