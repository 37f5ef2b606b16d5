/**
 * Attention (internal, domain com.wasmnn): softmax(Q·Kᵀ ⊘ scale + mask)·V, the
 * scaled dot-product attention PyTorch and TF export as MatMul → Div|Mul →
 * Add → Softmax → MatMul, made by the attention-fusion pass. K arrives already
 * transposed ([…, Dk, L]) exactly as the first MatMul read it. The scores stay in
 * one float64 buffer, scaled, masked and normalised in place, instead of three
 * more passes over float32 tensors.
 *
 * With `heads` = H > 0 the node also absorbs the exporter's head split and merge
 * (Reshape + Transpose on each side): Q [B, S, H·Dk], K [B, L, H·Dk] (not transposed),
 * V [B, L, H·Dv] and the output [B, S, H·Dv] keep the projections' layout, and the
 * mask broadcasts onto the scores [B, H, S, L] as before.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import type { Value } from '../../values.js';
import { defineOp } from '../op.js';
import { offsetTable } from '../reduce/reduce-plan.js';
import { softmaxLines } from '../reduce/softmax.js';
import { type FloatArray } from '../util/gemm.js';
import { dimsOf, elemTypeOf, tt } from '../util/infer-shapes.js';
import { optTensorAt, tensorAt } from '../util/read.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeStr } from '../util/shape.js';
import { floatMatMul } from './matmul.js';
import { matmulDims, matmulPlan } from './matmul-plan.js';
import { transposeData } from '../tensor/transpose.js';

export interface AttentionAttrs {
  /** The constant the scores are divided by (`divide`) or multiplied by; 1 when the model has none. */
  readonly scale: number;
  readonly divide: boolean;
  /** Heads packed in the last axis of Q, K, V and the output (see above); 0 for the [… S, Dk] layout. */
  readonly heads: number;
}

/** Inputs: Q [… S, Dk], Kᵀ [… Dk, L], V [… L, Dv], optional additive mask broadcasting onto [… S, L]. */
export const Attention = defineOp<AttentionAttrs>({
  name: 'Attention',
  domain: 'com.wasmnn',
  since: 1,
  halfAsFloat: true,
  attrs: (a) => ({ scale: a.float('scale', 1), divide: a.int('divide', 0) !== 0, heads: a.int('heads', 0) }),
  run: (inputs, { scale, divide, heads }) => {
    if (heads > 0) return runPackedHeads(inputs, scale, divide, heads);
    const q = tensorAt(inputs, 0, 'Q'), kt = tensorAt(inputs, 1, 'K'), v = tensorAt(inputs, 2, 'V');
    return [attend(q, kt, v, optTensorAt(inputs, 3, 'mask'), scale, divide)];
  },
  infer: (ins, { heads }) => {
    if (heads > 0) {
      const q = dimsOf(ins[0]), v = dimsOf(ins[2]);
      return [tt(elemTypeOf(ins[0]), q && v && q.length === 3 && v.length === 3 ? [q[0], q[1], v[2]] : undefined)];
    }
    return [tt(elemTypeOf(ins[0]), matmulDims(matmulDims(dimsOf(ins[0]), dimsOf(ins[1])), dimsOf(ins[2])))];
  },
});

/** softmax(Q·Kᵀ ⊘ scale + mask)·V for Q [… S, Dk], Kᵀ [… Dk, L], V [… L, Dv]. */
function attend(q: Tensor, kt: Tensor, v: Tensor, mask: Tensor | undefined, scale: number, divide: boolean): Tensor {
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
  return new Tensor(q.type, y, pv.outDims);
}

/** Q, K, V [B, ·, H·D] → Dk, Dv and the sizes, checked; an OpError names what does not fit. */
export function packedHeadsPlan(q: readonly number[], k: readonly number[], v: readonly number[], heads: number): { B: number; S: number; L: number; Dk: number; Dv: number } {
  if (q.length !== 3 || k.length !== 3 || v.length !== 3) {
    throw new OpError(`with heads=${heads}, Q, K and V must be [batch, sequence, heads·dim], got ${shapeStr(q)}, ${shapeStr(k)}, ${shapeStr(v)}`);
  }
  const [B, S, E] = q as [number, number, number];
  const L = k[1]!;
  if (k[0] !== B || v[0] !== B || v[1] !== L || k[2] !== E || E % heads !== 0 || v[2]! % heads !== 0) {
    throw new OpError(`Q ${shapeStr(q)}, K ${shapeStr(k)} and V ${shapeStr(v)} do not fit ${heads} heads (same batch, K and V the same length, K's last dim equal to Q's, both divisible by the heads)`);
  }
  return { B, S, L, Dk: E / heads, Dv: v[2]! / heads };
}

/** The packed-heads form: split the heads as the absorbed Reshape/Transpose nodes did, attend, merge them back. */
function runPackedHeads(inputs: readonly (Value | undefined)[], scale: number, divide: boolean, heads: number): Tensor[] {
  const q = tensorAt(inputs, 0, 'Q'), k = tensorAt(inputs, 1, 'K'), v = tensorAt(inputs, 2, 'V');
  for (const [t, what] of [[k, 'K'], [v, 'V']] as const) {
    if (t.type !== q.type) throw new OpError(`${what} has type ${t.type} but Q has type ${q.type}`);
  }
  const { B, S, L, Dk, Dv } = packedHeadsPlan(q.dims, k.dims, v.dims, heads);
  const split = (t: Tensor, n: number, d: number, perm: number[]) => {
    const dims = [B, n, heads, d];
    return new Tensor(t.type, transposeData(t.type, t.data, dims, perm, 'Attention'), perm.map((a) => dims[a]!));
  };
  const y = attend(split(q, S, Dk, [0, 2, 1, 3]), split(k, L, Dk, [0, 2, 3, 1]), split(v, L, Dv, [0, 2, 1, 3]), optTensorAt(inputs, 3, 'mask'), scale, divide);
  return [new Tensor(y.type, transposeData(y.type, y.data, [B, heads, S, Dv], [0, 2, 1, 3], 'Attention'), [B, S, heads * Dv])];
}

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
