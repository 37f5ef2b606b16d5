/**
 * PointwiseDepthwise (internal, domain com.wasmnn): a 1×1 conv whose output only a
 * depthwise conv reads (the expand → depthwise pair of MobileNet's inverted-residual
 * blocks), as one node, so a backend can run the depthwise conv on a few expanded
 * channels while they are still in cache instead of writing the whole expanded image
 * to memory and reading it back. Made by the fuse-pointwise-depthwise pass.
 * Inputs: X, W1, B1 (may be ''), W2, B2 (may be ''). Its reference kernel is the two
 * FusedConvs in turn.
 */
import { defineOp } from '../op.js';
import { FusedConv, type FusedConvAttrs } from './fused-conv.js';

export interface PointwiseDepthwiseAttrs {
  /** The 1×1 conv (its activation included). */
  readonly pointwise: FusedConvAttrs;
  /** The depthwise conv (group = channels) that reads it. */
  readonly depthwise: FusedConvAttrs;
}

export const PointwiseDepthwise = defineOp<PointwiseDepthwiseAttrs>({
  name: 'PointwiseDepthwise',
  domain: 'com.wasmnn',
  since: 1,
  run: (inputs, at, ctx) => {
    const [mid] = FusedConv.run(inputs.slice(0, 3), at.pointwise, ctx);
    return FusedConv.run([mid, inputs[3], inputs[4]], at.depthwise, ctx);
  },
  infer: (ins, at, ctx) => {
    const [mid] = FusedConv.infer!(ins.slice(0, 3), at.pointwise, ctx);
    return FusedConv.infer!([mid, ins[3], ins[4]], at.depthwise, ctx);
  },
});
