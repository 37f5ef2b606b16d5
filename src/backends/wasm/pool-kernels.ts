/**
 * MaxPool / AveragePool (2-D) and GlobalAveragePool on the engine. Window geometry
 * comes from the shared windowGeometry; the per-dim average divisors follow the
 * reference (valid taps, or taps inside the explicit pads with count_include_pad).
 */
import type { IrNode } from '../../graph/ir.js';
import { windowGeometry, type WindowAttrs, type WindowGeometry } from '../../ops/nn/conv-geometry.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { f32Input, put, take } from './io.js';
import type { Scratch } from './scratch.js';

/** The fields of the reference pools' attributes (src/ops/nn/pool.ts) this kernel reads. */
interface PoolAttrs {
  readonly win: WindowAttrs;
  readonly kind: 'max' | 'avg' | 'lp';
  readonly countIncludePad: boolean;
}

/** 1 / divisor per output index along spatial dim i, padded with zeros to `len`. */
function inverseCounts(g: WindowGeometry, i: number, includePad: boolean, len: number): Float32Array {
  const O = g.outShape[i]!, I = g.inShape[i]!, K = g.kernel[i]!;
  const s = g.strides[i]!, d = g.dilations[i]!, pb = g.padsBegin[i]!, pe = g.padsEnd[i]!;
  const inv = new Float32Array(len);
  for (let o = 0; o < O; o++) {
    let n = 0;
    for (let k = 0, v = o * s - pb; k < K; k++, v += d) {
      if (includePad ? v >= -pb && v < I + pe : v >= 0 && v < I) n++;
    }
    inv[o] = 1 / n;
  }
  return inv;
}

export function poolKernel(engine: Engine, scratch: Scratch, node: IrNode): Kernel<unknown> | undefined {
  const at = node.attrs as PoolAttrs;
  if (at.kind === 'lp' || at.win.kernelShape?.length !== 2) return undefined;
  const isMax = at.kind === 'max';
  const kernel = at.win.kernelShape;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4 || (isMax && ctx.numOutputs > 1 && ctx.outputRequested(1))) return node.op.run(inputs, attrs, ctx);
    const g = windowGeometry(x.dims.slice(2), kernel, at.win);
    const [N, C, H, W] = x.dims as [number, number, number, number];
    const [oh, ow] = g.outShape as [number, number];
    const outDims = [N, C, oh, ow];
    const planes = N * C, inSize = planes * H * W, outSize = planes * oh * ow;
    if (outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const ow8 = Math.ceil(ow / 8) * 8;
    const [kh, kw] = g.kernel as [number, number];
    const [sh, sw] = g.strides as [number, number];
    const [dh, dw] = g.dilations as [number, number];
    const padBytes = engine.exports.window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw);
    const base = scratch.get((inSize + outSize + oh + ow8) * 4 + padBytes);
    const xPtr = base, yPtr = xPtr + inSize * 4, invH = yPtr + outSize * 4, invW = invH + oh * 4, padPtr = invW + ow8 * 4;
    if (!isMax) {
      put(engine, invH, inverseCounts(g, 0, at.countIncludePad, oh));
      put(engine, invW, inverseCounts(g, 1, at.countIncludePad, ow8));
    }
    put(engine, xPtr, x.data as Float32Array);
    engine.exports.pool2d_f32(isMax ? 1 : 0, xPtr, planes, H, W, kh, kw, sh, sw, dh, dw, g.padsBegin[0]!, g.padsBegin[1]!, oh, ow, invH, invW, yPtr, padPtr);
    return [new Tensor('float32', take(engine, yPtr, outSize), outDims)];
  };
}

export function globalAveragePoolKernel(engine: Engine, scratch: Scratch, node: IrNode): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length < 3) return node.op.run(inputs, attrs, ctx);
    const planes = x.dims[0]! * x.dims[1]!, n = x.size / planes;
    const outDims = [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)];
    if (x.size === 0) return node.op.run(inputs, attrs, ctx);
    const base = scratch.get((x.size + planes) * 4);
    put(engine, base, x.data as Float32Array);
    engine.exports.global_avg_f32(base, planes, n, base + x.size * 4);
    return [new Tensor('float32', take(engine, base + x.size * 4, planes), outDims)];
  };
}
