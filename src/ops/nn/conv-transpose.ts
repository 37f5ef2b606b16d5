/** ConvTranspose: the adjoint of Conv, as GEMM (Wᵀ·X) followed by col2im. */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import type { FloatArray } from '../util/gemm.js';
import { gemm } from '../util/gemm.js';
import { optTensorAt, tensorAt } from '../util/read.js';
import { shapeStr } from '../util/shape.js';
import { prod, transposeGeometry, type WindowGeometry } from './conv-geometry.js';
import { readConvAttrs, type ConvAttrs } from './conv.js';
import { col2im } from './im2col.js';
import { dimsOf, elemTypeOf, mulDim, transposeOutDims, tt, unknownDims } from '../util/infer-shapes.js';

/** ConvTranspose's attributes: Conv's window attributes plus output_padding and output_shape. */
export type ConvTransposeAttrs = ConvAttrs & {
  readonly outputPadding: readonly number[] | undefined;
  readonly outputShape: readonly number[] | undefined;
};

/** Everything a ConvTranspose kernel needs: channel counts, the window geometry (inShape = output spatial dims) and the output dims. */
export interface ConvTransposePlan {
  readonly N: number;
  readonly C: number;
  readonly M: number;
  /** Input channels per group. */
  readonly Cg: number;
  /** Output channels per group (W's dim 1). */
  readonly Mg: number;
  readonly group: number;
  readonly kernel: readonly number[];
  readonly geom: WindowGeometry;
  readonly outDims: readonly number[];
}

/**
 * Validates X, W and B against each other and the attributes (OpError naming what is wrong)
 * and resolves the geometry: the one place ConvTranspose's output shape and pads are computed.
 */
export function convTransposePlan(x: Tensor, w: Tensor, b: Tensor | undefined, at: ConvTransposeAttrs): ConvTransposePlan {
  if (x.type !== 'float32' && x.type !== 'float64') throw new OpError(`ConvTranspose supports float types, got X of type ${x.type}`);
  if (w.type !== x.type) throw new OpError(`W has type ${w.type} but X has type ${x.type}`);
  if (x.dims.length < 3) throw new OpError(`input X must have rank >= 3 (N, C, spatial...), got shape ${shapeStr(x.dims)}`);
  if (w.dims.length !== x.dims.length) throw new OpError(`weight W must have rank ${x.dims.length} like X ${shapeStr(x.dims)}, got ${shapeStr(w.dims)}`);
  const [N, C] = x.dims as [number, number];
  const { group } = at;
  if (w.dims[0] !== C || C % group !== 0) throw new OpError(`W ${shapeStr(w.dims)} must have ${C} input channels (X ${shapeStr(x.dims)}) divisible by group=${group}`);
  const Cg = C / group, Mg = w.dims[1]!, M = Mg * group;
  const kernel = w.dims.slice(2);
  const ks = at.win.kernelShape;
  if (ks && (ks.length !== kernel.length || ks.some((k, i) => k !== kernel[i]))) {
    throw new OpError(`kernel_shape [${ks.join(', ')}] does not match W's spatial dims ${shapeStr(kernel)}`);
  }
  if (b && (b.type !== x.type || b.size !== M)) throw new OpError(`bias B must be a ${x.type} vector of ${M} elements, got ${b.type} ${shapeStr(b.dims)}`);
  const r = kernel.length;
  // output_shape may list only spatial dims or the full [N, M, spatial...].
  const os = at.outputShape && at.outputShape.length === r + 2 ? at.outputShape.slice(2) : at.outputShape;
  const geom = transposeGeometry(x.dims.slice(2), kernel, at.win, at.outputPadding, os);
  return { N, C, M, Cg, Mg, group, kernel, geom, outDims: [N, M, ...geom.inShape] };
}

export const ConvTranspose = defineOp({
  name: 'ConvTranspose',
  since: 1,
  halfAsFloat: true,
  attrs: (a): ConvTransposeAttrs => ({
    ...readConvAttrs(a),
    outputPadding: a.has('output_padding') ? a.ints('output_padding') : undefined,
    outputShape: a.has('output_shape') ? a.ints('output_shape') : undefined,
  }),
  run: (inputs, at) => {
    const x = tensorAt(inputs, 0, 'X');
    const w = tensorAt(inputs, 1, 'W');
    const b = optTensorAt(inputs, 2, 'B');
    const { N, C, M, Mg, Cg, group, kernel, geom: g, outDims } = convTransposePlan(x, w, b, at);
    const inSize = prod(g.outShape), outSize = prod(g.inShape), kSize = prod(kernel);
    const rowsW = Mg * kSize;
    const Ctor = x.type === 'float64' ? Float64Array : Float32Array;
    const y = new Ctor(N * M * outSize);
    const col = new Ctor(rowsW * inSize);
    const xd = x.data as FloatArray, wd = w.data as FloatArray, bd = b?.data as FloatArray | undefined;
    for (let n = 0; n < N; n++) {
      for (let gi = 0; gi < group; gi++) {
        gemm(true, false, rowsW, inSize, Cg, 1, wd, gi * Cg * rowsW, rowsW, xd, (n * C + gi * Cg) * inSize, inSize, 0, col, 0, inSize);
        col2im(col, Mg, g, y, (n * M + gi * Mg) * outSize);
      }
      if (bd) for (let m = 0; m < M; m++) {
        const o = (n * M + m) * outSize, bv = bd[m]!;
        for (let i = o; i < o + outSize; i++) y[i] = y[i]! + bv;
      }
    }
    return [new Tensor(x.type, y, outDims)];
  },
  // [N, W[1]·group, spatial...]: output_shape (spatial or full) when given, else the transposed window geometry.
  infer: (ins, at) => {
    const x = dimsOf(ins[0]), w = dimsOf(ins[1]);
    const ks = at.win.kernelShape;
    const rank = x?.length ?? w?.length ?? (ks ? ks.length + 2 : undefined);
    const elem = elemTypeOf(ins[0]);
    if (rank === undefined || rank < 3 || (x && x.length !== rank) || (w && w.length !== rank) || (ks && ks.length !== rank - 2)) return [tt(elem, undefined)];
    const r = rank - 2;
    const os = at.outputShape && at.outputShape.length === r + 2 ? at.outputShape.slice(2) : at.outputShape;
    const kernel = ks ? ks.slice() : w ? w.slice(2) : unknownDims(r);
    const spatial = x ? transposeOutDims(x.slice(2), kernel, at.win, at.outputPadding, os) : os?.length === r ? os.slice() : unknownDims(r);
    return [tt(elem, spatial && [x?.[0], mulDim(w?.[1], at.group), ...spatial])];
  },
});
