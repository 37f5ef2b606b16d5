/**
 * Attention (internal, domain com.wasmnn): softmax(Q·Kᵀ ⊘ scale + mask)·V, the
 * scaled dot-product attention PyTorch and TF export as MatMul → Div|Mul →
 * Add → Softmax → MatMul, made by the attention-fusion pass. K arrives already
 * transposed ([…, Dk, L]) exactly as the first MatMul read it. The scores stay in
 * one float64 buffer, scaled, masked and normalised in place, instead of three
 * more passes over float32 tensors.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import { offsetTable } from '../reduce/reduce-plan.js';
import { softmaxLines } from '../reduce/softmax.js';
import { type FloatArray } from '../util/gemm.js';
import { dimsOf, elemTypeOf, tt } from '../util/infer-shapes.js';
import { optTensorAt, tensorAt } from '../util/read.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeStr } from '../util/shape.js';
import { floatMatMul } from './matmul.js';
import { matmulDims, matmulPlan } from './matmul-plan.js';

export interface AttentionAttrs {
  /** The constant the scores are divided by (`divide`) or multiplied by; 1 when the model has none. */
  readonly scale: number;
  readonly divide: boolean;
}

/** Inputs: Q [… S, Dk], Kᵀ [… Dk, L], V [… L, Dv], optional additive mask broadcasting onto [… S, L]. */
export const Attention = defineOp<AttentionAttrs>({
  name: 'Attention',
  domain: 'com.wasmnn',
  since: 1,
  halfAsFloat: true,
  attrs: (a) => ({ scale: a.float('scale', 1), divide: a.int('divide', 0) !== 0 }),
  run: (inputs, { scale, divide }) => {
    const q = tensorAt(inputs, 0, 'Q'), kt = tensorAt(inputs, 1, 'K'), v = tensorAt(inputs, 2, 'V');
    const mask = optTensorAt(inputs, 3, 'mask');
    for (const [t, what] of [[kt, 'K'], [v, 'V'], [mask, 'mask']] as const) {
      if (t && t.type !== q.type) throw new OpError(`${what} has type ${t.type} but Q has type ${q.type}`);
    }
    if (q.type !== 'float32' && q.type !== 'float64') throw new OpError(`Attention expects float tensors, got ${q.type}`);
    if (q.dims.length < 2 || kt.dims.length < 2 || v.dims.length < 2) {
      throw new OpError(`Q, K and V must have rank >= 2, got ${shapeStr(q.dims)}, ${shapeStr(kt.dims)}, ${shapeStr(v.dims)}`);
    }
    const qk = matmulPlan(q.dims, kt.dims);
    const sDims = qk.outDims;
    const n = sDims[sDims.length - 1]!;
    const scores = new Float64Array(sDims.reduce((p, d) => p * d, 1));
    floatMatMul(qk, q.data as FloatArray, kt.data as FloatArray, scores);
    scaleAndMask(scores, sDims, scale, divide, mask);
    softmaxLines(scores, scores, n === 0 ? 0 : scores.length / n, n, 1, 0);
    const pv = matmulPlan(sDims, v.dims);
    const y = q.type === 'float64' ? new Float64Array(pv.outDims.reduce((p, d) => p * d, 1)) : new Float32Array(pv.outDims.reduce((p, d) => p * d, 1));
    floatMatMul(pv, scores, v.data as FloatArray, y);
    return [new Tensor(q.type, y, pv.outDims)];
  },
  infer: (ins) => [tt(elemTypeOf(ins[0]), matmulDims(matmulDims(dimsOf(ins[0]), dimsOf(ins[1])), dimsOf(ins[2])))],
});

/** scores ← scores ⊘ scale + mask, row by row; the mask must not widen the scores' shape. */
function scaleAndMask(s: Float64Array, sDims: readonly number[], scale: number, divide: boolean, mask: Tensor | undefined): void {
  const n = sDims[sDims.length - 1]!;
  if (!mask) {
    if (divide) for (let i = 0; i < s.length; i++) s[i] = s[i]! / scale;
    else if (scale !== 1) for (let i = 0; i < s.length; i++) s[i] = s[i]! * scale;
    return;
  }
  if (!sameShape(broadcastShapes(sDims, mask.dims), sDims)) {
    throw new OpError(`mask of shape ${shapeStr(mask.dims)} does not broadcast onto the scores ${shapeStr(sDims)}`);
  }
  const st = broadcastStrides(mask.dims, sDims);
  const rowOffsets = offsetTable(sDims.slice(0, -1).map((d, i) => [d, st[i]!] as [number, number]));
  const cs = st[st.length - 1]!;
  const m = mask.data as FloatArray;
  for (let r = 0; r < rowOffsets.length; r++) {
    const base = r * n, mo = rowOffsets[r]!;
    if (divide) for (let j = 0; j < n; j++) s[base + j] = s[base + j]! / scale + m[mo + j * cs]!;
    else for (let j = 0; j < n; j++) s[base + j] = s[base + j]! * scale + m[mo + j * cs]!;
  }
}
