/**
 * PointwiseDepthwise (a 1×1 conv and the depthwise conv reading it) on the engine: the
 * input is packed once into the GEMM's 8-pixel panels, then each task runs
 * pointwise_depthwise_f32 on a range of channels, a few at a time, so the expanded
 * channels are convolved while still in that core's cache.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convPlan } from '../../ops/nn/conv.js';
import type { PointwiseDepthwiseAttrs } from '../../ops/nn/pointwise-depthwise.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import { activationCode, convWeights, runImages } from './conv-kernel.js';
import { depthwiseWindow } from './depthwise-kernel.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import { align16, type Scratch } from './scratch.js';
import { CONV_MIN_WORK, PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';

/**
 * Expanded planes per group: as many as fit in this many bytes, so a group's planes are still
 * in L2 when the depthwise conv reads them (2 MB per core here; at 112² 8 planes of 49 KB, measured
 * as fast as 16 and faster than 4).
 */
const GROUP_BYTES = 512 * 1024;

export function pointwiseDepthwiseKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const at = node.attrs as PointwiseDepthwiseAttrs;
  const first = convWeights(g, node.inputs[1], node.inputs[2]), second = convWeights(g, node.inputs[3], node.inputs[4]);
  if (!first || !second) return undefined;
  const { w: w1, b: b1 } = first, { w: w2, b: b2 } = second;
  const M = w1.dims[0]!;
  const [w1Ptr, w2Ptr] = [constF32(engine, w1), constF32(engine, w2)];
  const [b1Ptr, b2Ptr] = [b1 ? constF32(engine, b1) : 0, b2 ? constF32(engine, b2) : 0];
  const e1 = activationCode(at.pointwise), e2 = activationCode(at.depthwise);
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4) return node.op.run(inputs, attrs, ctx);
    const mid = convPlan(x.dims, w1.dims, at.pointwise);
    const { geom, outDims } = convPlan(mid.outDims, w2.dims, at.depthwise);
    const [N, C, H, W] = x.dims as [number, number, number, number];
    if (mid.outDims[2] !== H || mid.outDims[3] !== W) return node.op.run(inputs, attrs, ctx);
    const win = depthwiseWindow(engine, geom);
    const n = H * W, outSize = M * win.plane;
    if (N * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const ex = engine.exports;
    const cg = Math.min(M, Math.max(4, Math.floor(GROUP_BYTES / (n * 4)) & ~3));
    const colBytes = align16(ex.conv_col_bytes(C, 1, 1, H, W));
    // A group's planes as the expand GEMM writes them: h×w, or the depthwise conv's padded planes.
    const midBytes = align16(cg * ex.pointwise_depthwise_plane_bytes(C, H, W, ...win.args)), padBytes = win.padBytes;
    const parts = ranges(M, taskCount(engine, M * (C * n + win.plane * win.taps), CONV_MIN_WORK), 4);
    const workBytes = colBytes + parts.length * (midBytes + padBytes);
    const y = runImages(engine, scratch, { x, z: undefined, outDims, outSize, workBytes, node, g }, (xp, _zp, yp, col) => {
      engine.parallel(ranges(Math.ceil(n / 8), taskCount(engine, C * n, PARALLEL_MIN_ELEMENTS)).map(([p0, p1]) => ({
        fn: 'im2col_panels', args: [xp, C, H, W, 1, 1, 1, 1, 1, 1, 0, 0, H, W, col, p0, p1],
      })));
      engine.parallel(parts.map(([c0, c1], i) => {
        const own = col + colBytes + i * (midBytes + padBytes);
        return {
          fn: 'pointwise_depthwise_f32',
          args: [col, C, H, W, w1Ptr, b1Ptr, e1.act, e1.lo, e1.hi, own, cg, c0, c1, w2Ptr, ...win.args,
            b2Ptr, yp, own + midBytes, e2.act, e2.lo, e2.hi],
        };
      }));
    });
    return [y];
  };
}
