/**
 * Depthwise 2-D Conv (group = C_in = C_out, weights [C, 1, kh, kw]) on the engine's
 * direct kernel: no im2col, each channel plane convolved in place of a GEMM.
 * Geometry comes from the op's own plan; other Convs go to the next factory.
 * Serves FusedConv too (Relu/Clip applied as the output is stored).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convPlan, type ConvAttrs } from '../../ops/nn/conv.js';
import type { FusedConvAttrs } from '../../ops/nn/fused-conv.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { constF32, f32Input, put } from './io.js';
import type { Scratch } from './scratch.js';

export function depthwiseKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const at = node.attrs as ConvAttrs & Partial<FusedConvAttrs>;
  // FusedConv's activation runs in the kernel's store: 1 = Relu, 2 = Clip(lo, hi).
  const act = at.activation === 'Relu' ? 1 : at.activation === 'Clip' ? 2 : 0;
  const lo = at.activation === 'Clip' ? at.lo! : 0, hi = at.activation === 'Clip' ? at.hi! : 0;
  const w = g.initializers.get(node.inputs[1] ?? '');
  const b = node.inputs[2] ? g.initializers.get(node.inputs[2]) : undefined;
  if (!w || w.type !== 'float32' || w.dims.length !== 4 || w.dims[1] !== 1 || w.dims[0] !== at.group || at.group < 2) return undefined;
  if (node.inputs[2] && (!b || b.type !== 'float32' || b.size !== at.group)) return undefined;
  const wPtr = constF32(engine, w);
  const bPtr = b ? constF32(engine, b) : 0;
  const C = at.group;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4 || x.dims[1] !== C) return node.op.run(inputs, attrs, ctx);
    const { geom, outDims } = convPlan(x.dims, w.dims, at);
    const [N, , H, W] = x.dims as [number, number, number, number];
    const [oh, ow] = geom.outShape as [number, number];
    const [kh, kw] = geom.kernel as [number, number];
    const [sh, sw] = geom.strides as [number, number];
    const [dh, dw] = geom.dilations as [number, number];
    const inSize = C * H * W, outSize = C * oh * ow;
    const out = new Float32Array(N * outSize);
    if (out.length === 0) return [new Tensor('float32', out, outDims)];
    const padBytes = engine.exports.window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw);
    const base = scratch.get((inSize + outSize) * 4 + padBytes);
    const xPtr = base, yPtr = base + inSize * 4, padPtr = yPtr + outSize * 4;
    const xd = x.data as Float32Array;
    for (let n = 0; n < N; n++) {
      put(engine, xPtr, xd.subarray(n * inSize, (n + 1) * inSize));
      engine.exports.depthwise_f32(xPtr, C, H, W, wPtr, kh, kw, sh, sw, dh, dw, geom.padsBegin[0]!, geom.padsBegin[1]!, oh, ow,
        bPtr, yPtr, padPtr, act, lo, hi);
      out.set(engine.f32(yPtr, outSize), n * outSize);
    }
    return [new Tensor('float32', out, outDims)];
  };
}
