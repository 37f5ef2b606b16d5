/**
 * MaxPool / AveragePool (2-D) and GlobalAveragePool on the engine, split over plane
 * ranges. Window geometry comes from the shared windowGeometry; the per-dim average divisors follow the
 * reference (valid taps, or taps inside the explicit pads with count_include_pad).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { windowGeometry, type WindowAttrs, type WindowGeometry } from '../../ops/nn/conv-geometry.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { runImages } from './conv-kernel.js';
import { f32Input, put } from './io.js';
import { align16, type Scratch } from './scratch.js';
import { CONV_MIN_WORK, PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';

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

/**
 * Window pools run on channel-plane ranges, each task with its own padded-plane buffer; the
 * image is read in place when an engine kernel left it resident, and the output stays resident.
 */
export function poolKernel(engine: Engine, scratch: Scratch, node: IrNode, graph: IrGraph): Kernel<unknown> | undefined {
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
    const outSize = C * oh * ow;
    if (N * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const ow8 = Math.ceil(ow / 8) * 8;
    const [kh, kw] = g.kernel as [number, number];
    const [sh, sw] = g.strides as [number, number];
    const [dh, dw] = g.dilations as [number, number];
    const padBytes = align16(engine.exports.window_pad_bytes(oh, ow, kh, kw, sh, sw, dh, dw));
    const parts = ranges(C, taskCount(engine, outSize * kh * kw, CONV_MIN_WORK));
    const invBytes = Math.ceil((oh + ow8) / 4) * 16;
    const inv = isMax ? undefined : [inverseCounts(g, 0, at.countIncludePad, oh), inverseCounts(g, 1, at.countIncludePad, ow8)] as const;
    const run = { x, z: undefined, outDims, outSize, workBytes: invBytes + parts.length * padBytes, node, g: graph };
    const y = runImages(engine, scratch, run, (xp, _zp, yp, work) => {
      const invH = work, invW = work + oh * 4;
      if (inv) { put(engine, invH, inv[0]); put(engine, invW, inv[1]); }
      engine.parallel(parts.map(([c0, c1], i) => ({
        fn: 'pool2d_f32',
        args: [isMax ? 1 : 0, xp + c0 * H * W * 4, c1 - c0, H, W, kh, kw, sh, sw, dh, dw, g.padsBegin[0]!, g.padsBegin[1]!, oh, ow,
          invH, invW, yp + c0 * oh * ow * 4, work + invBytes + i * padBytes],
      })));
    });
    return [y];
  };
}

/** Plane means; the input is read in place when resident, and the output stays resident. */
export function globalAveragePoolKernel(engine: Engine, scratch: Scratch, node: IrNode, graph: IrGraph): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length < 3 || x.size === 0) return node.op.run(inputs, attrs, ctx);
    const C = x.dims[1]!, n = x.size / (x.dims[0]! * C);
    const outDims = [x.dims[0]!, C, ...x.dims.slice(2).map(() => 1)];
    const parts = ranges(C, taskCount(engine, C * n, PARALLEL_MIN_ELEMENTS), 4);
    const run = { x, z: undefined, outDims, outSize: C, workBytes: 0, node, g: graph };
    const y = runImages(engine, scratch, run, (xp, _zp, yp) =>
      engine.parallel(parts.map(([c0, c1]) => ({ fn: 'global_avg_f32', args: [xp + c0 * n * 4, c1 - c0, n, yp + c0 * 4] }))));
    return [y];
  };
}
