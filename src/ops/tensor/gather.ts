/** Gather, GatherElements and GatherND: indexed reads into a contiguous output. */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import { tensorAt, toInts } from '../util/read.js';
import { normalizeAxis, shapeStr, stridesOf } from '../util/shape.js';
import { expectIndexType, normalizedIndices } from './indices.js';
import { allocLike, copyRun, gatherRun, wordPair } from './strided-copy.js';
import { axisIn, dimsOf, elemTypeOf, isStatic, tt } from '../util/infer-shapes.js';

/**
 * Gather's output dims and its addressing: outer blocks of dimA × inner elements, from each of
 * which the rows idx (checked, negatives wrapped) of `inner` elements are read.
 */
export function gatherPlan(xDims: readonly number[], ind: Tensor, axis: number): { idx: Int32Array; dims: number[]; outer: number; inner: number; dimA: number } {
  const ax = normalizeAxis(axis, xDims.length);
  const dimA = xDims[ax]!;
  const idx = normalizedIndices(ind, dimA, 'indices');
  const dims = [...xDims.slice(0, ax), ...ind.dims, ...xDims.slice(ax + 1)];
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= xDims[i]!;
  let inner = 1;
  for (let i = ax + 1; i < xDims.length; i++) inner *= xDims[i]!;
  return { idx, dims, outer, inner, dimA };
}

export const Gather = defineOp({
  name: 'Gather',
  since: 1,
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  run: (inputs, { axis }) => {
    const x = tensorAt(inputs, 0, 'data');
    const { idx, dims, outer, inner, dimA } = gatherPlan(x.dims, tensorAt(inputs, 1, 'indices'), axis);
    const m = idx.length;
    const out = allocLike(x.type, outer * m * inner, 'Gather');
    const words = wordPair(out, x.data);
    let q = 0;
    for (let b = 0; b < outer; b++) {
      const base = b * dimA * inner;
      if (inner === 1) {
        gatherRun(out, q, x.data, base, idx, m, words);
        q += m;
      } else {
        for (let j = 0; j < m; j++, q += inner) copyRun(out, q, x.data, base + idx[j]! * inner, inner);
      }
    }
    return [new Tensor(x.type, out, dims)];
  },
  infer: (ins, { axis }) => {
    const s = dimsOf(ins[0]), ind = dimsOf(ins[1]);
    const ax = s ? axisIn(axis, s.length) : undefined;
    return [tt(elemTypeOf(ins[0]), s && ind && ax !== undefined ? [...s.slice(0, ax), ...ind, ...s.slice(ax + 1)] : undefined)];
  },
});

export const GatherElements = defineOp({
  name: 'GatherElements',
  since: 11,
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  run: (inputs, { axis }) => {
    const x = tensorAt(inputs, 0, 'data');
    const ind = tensorAt(inputs, 1, 'indices');
    const r = x.dims.length;
    const ax = normalizeAxis(axis, r);
    if (ind.dims.length !== r || ind.dims.some((d, i) => i !== ax && d > x.dims[i]!)) {
      throw new OpError(`indices shape ${shapeStr(ind.dims)} does not fit data shape ${shapeStr(x.dims)} on axis ${ax}`);
    }
    const idx = normalizedIndices(ind, x.dims[ax]!, 'indices');
    const out = allocLike(x.type, ind.size, 'GatherElements');
    gatherRun(out, 0, x.data, 0, elementTargets(x.dims, ind.dims, ax, idx), ind.size);
    return [new Tensor(x.type, out, ind.dims)];
  },
  infer: (ins) => [tt(elemTypeOf(ins[0]), dimsOf(ins[1]))],
});

/**
 * Data offsets addressed by GatherElements/ScatterElements indices: element i of
 * indices (shape idims) addresses data at its own coordinates with the axis one
 * replaced by idx[i].
 */
export function elementTargets(dataDims: readonly number[], idims: readonly number[], ax: number, idx: Int32Array): Int32Array {
  const targets = new Int32Array(idx.length);
  if (idx.length > 0) elementOffsetsInto(dataDims, idims, ax, idx, targets);
  return targets;
}

function elementOffsetsInto(dataDims: readonly number[], idims: readonly number[], ax: number, idx: Int32Array, targets: Int32Array): void {
  const r = idims.length;
  const ds = stridesOf(dataDims);
  const sAx = ds[ax]!;
  const n = idims[r - 1]!;
  const sLast = ax === r - 1 ? 0 : ds[r - 1]!;
  const counter = new Int32Array(r);
  let base = 0;
  for (let q = 0; q < idx.length; q += n) {
    for (let j = 0; j < n; j++) targets[q + j] = base + j * sLast + idx[q + j]! * sAx;
    for (let k = r - 2; k >= 0; k--) {
      const s = k === ax ? 0 : ds[k]!;
      base += s;
      if (++counter[k]! < idims[k]!) break;
      counter[k] = 0;
      base -= s * idims[k]!;
    }
  }
}

/**
 * GatherND/ScatterND addressing: for each index tuple (the last axis of indices,
 * within its batch), the start offset of the addressed slice of data and that
 * slice's length.
 */
export function ndSliceStarts(dataDims: readonly number[], ind: Tensor, batchDims: number): { starts: Int32Array; slice: number; tupleDims: number[] } {
  expectIndexType(ind, 'indices');
  const q = ind.dims.length;
  const r = dataDims.length;
  if (q < 1) throw new OpError('indices must have rank >= 1');
  const k = ind.dims[q - 1]!;
  const b = batchDims;
  if (b < 0 || b >= Math.min(q, r)) throw new OpError(`batch_dims ${b} must be less than both ranks (data ${r}, indices ${q})`);
  if (k < 1 || k > r - b) throw new OpError(`indices last dim ${k} must be in [1, ${r - b}] for data ${shapeStr(dataDims)} and batch_dims ${b}`);
  for (let i = 0; i < b; i++) {
    if (dataDims[i] !== ind.dims[i]) throw new OpError(`batch dim ${i} differs: data ${shapeStr(dataDims)}, indices ${shapeStr(ind.dims)}`);
  }
  const ds = stridesOf(dataDims);
  let slice = 1;
  for (let i = b + k; i < r; i++) slice *= dataDims[i]!;
  let perBatch = 1;
  for (let i = b; i < q - 1; i++) perBatch *= ind.dims[i]!;
  const batchStride = b > 0 ? ds[b - 1]! : 0;
  const raw = toInts(ind);
  const tuples = raw.length / k;
  const starts = new Int32Array(tuples);
  for (let t = 0; t < tuples; t++) {
    let off = b > 0 ? Math.floor(t / perBatch) * batchStride : 0;
    for (let j = 0; j < k; j++) {
      const d = dataDims[b + j]!;
      let v = raw[t * k + j]!;
      if (v < -d || v >= d) throw new OpError(`indices value ${v} is out of range for dim ${b + j} of size ${d}`);
      if (v < 0) v += d;
      off += v * ds[b + j]!;
    }
    starts[t] = off;
  }
  return { starts, slice, tupleDims: ind.dims.slice(0, q - 1) };
}

export const GatherND = defineOp({
  name: 'GatherND',
  since: 11,
  attrs: (a) => ({ batchDims: a.int('batch_dims', 0) }),
  run: (inputs, { batchDims }) => {
    const x = tensorAt(inputs, 0, 'data');
    const ind = tensorAt(inputs, 1, 'indices');
    const { starts, slice, tupleDims } = ndSliceStarts(x.dims, ind, batchDims);
    const k = ind.dims[ind.dims.length - 1]!;
    const dims = [...tupleDims, ...x.dims.slice(batchDims + k)];
    const out = allocLike(x.type, starts.length * slice, 'GatherND');
    for (let t = 0; t < starts.length; t++) copyRun(out, t * slice, x.data, starts[t]!, slice);
    return [new Tensor(x.type, out, dims)];
  },
  infer: (ins, { batchDims }) => {
    const s = dimsOf(ins[0]), ind = dimsOf(ins[1]);
    const k = ind?.[ind.length - 1];
    if (!s || !ind || !isStatic(k) || batchDims < 0 || batchDims + k > s.length) return [tt(elemTypeOf(ins[0]), undefined)];
    return [tt(elemTypeOf(ins[0]), [...ind.slice(0, -1), ...s.slice(batchDims + k)])];
  },
});
