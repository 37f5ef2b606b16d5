/**
 * Depthwise 2-D Conv (group = C_in = C_out, weights [C, 1, kh, kw]) on the engine's
 * direct kernel: no im2col, each channel plane convolved in place of a GEMM.
 * Geometry comes from the op's own plan; other Convs go to the next factory.
 * Serves FusedConv too (Relu/Clip applied as the output is stored).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convPlan, type ConvAttrs } from '../../ops/nn/conv.js';
import type { WindowGeometry } from '../../ops/nn/conv-geometry.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import { convConstants, convEpilogue, runImages } from './conv-kernel.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import { align16, type Scratch } from './scratch.js';
import { CONV_MIN_WORK, ranges, taskCount } from './split.js';

export function depthwiseKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const at = node.attrs as ConvAttrs;
  // FusedConv's activation runs in the kernel's store; residual sums go to the GEMM path.
  const { act, lo, hi, residual } = convEpilogue(node);
  if (residual) return undefined;
  const consts = convConstants(g, node);
  if (!consts || consts.w.dims[1] !== 1 || consts.w.dims[0] !== at.group || at.group < 2) return undefined;
  const { w, b } = consts;
  const wPtr = constF32(engine, w);
  const bPtr = b ? constF32(engine, b) : 0;
  const C = at.group;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4 || x.dims[1] !== C) return node.op.run(inputs, attrs, ctx);
    const { geom, outDims } = convPlan(x.dims, w.dims, at);
    const [N, , H, W] = x.dims as [number, number, number, number];
    const win = depthwiseWindow(engine, geom);
    const outSize = C * win.plane;
    if (N * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    // Threads take channel ranges, each with its own padded-plane buffer.
    const parts = ranges(C, taskCount(engine, outSize * win.taps, CONV_MIN_WORK));
    const y = runImages(engine, scratch, { x, z: undefined, outDims, outSize, workBytes: parts.length * win.padBytes, node, g }, (xp, _zp, yp, work) =>
      engine.parallel(parts.map(([c0, c1], i) => ({
        fn: 'depthwise_f32',
        args: [xp + c0 * H * W * 4, c1 - c0, H, W, wPtr + c0 * win.taps * 4, ...win.args,
          bPtr ? bPtr + c0 * 4 : 0, yp + c0 * win.plane * 4, work + i * win.padBytes, act, lo, hi],
      }))));
    return [y];
  };
}

/** depthwise_f32's view of a 2-D window: its geometry arguments, and the per-task scratch it needs. */
export interface DepthwiseWindow {
  /** kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, in depthwise_f32's argument order. */
  readonly args: readonly number[];
  /** Weights per channel (kh·kw) and outputs per channel (oh·ow). */
  readonly taps: number;
  readonly plane: number;
  /** Bytes of one task's padded-plane scratch, rounded up to 16 so per-task buffers stay aligned. */
  readonly padBytes: number;
}

export function depthwiseWindow(engine: Engine, geom: WindowGeometry): DepthwiseWindow {
  const [oh, ow] = geom.outShape as [number, number];
  const [kh, kw] = geom.kernel as [number, number];
  const [sh, sw] = geom.strides as [number, number];
  const [dh, dw] = geom.dilations as [number, number];
  const [pt, pl] = geom.padsBegin as [number, number];
  return {
    args: [kh, kw, sh, sw, dh, dw, pt, pl, oh, ow], taps: kh * kw, plane: oh * ow,
    padBytes: align16(engine.exports.window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw)),
  };
}
