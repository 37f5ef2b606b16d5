/** Concat and Split along one axis: block copies of outer × (dim·inner) runs. */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import { optTensorAt, tensorAt, toInts } from '../util/read.js';
import { normalizeAxis, shapeStr } from '../util/shape.js';
import { allocLike, copyRun } from './strided-copy.js';
import type { Dim, TypeInfo } from '../../onnx/model.js';
import type { Value } from '../../values.js';
import { addDim, axisIn, certainlyAbsent, constIntsAt, dimsOf, elemTypeOf, isStatic, sameDim, tt } from '../util/infer-shapes.js';

/** Concat's output dims and its outer × (dim·inner) blocks, after checking that the inputs agree. */
export function concatPlan(xs: readonly Tensor[], axis: number): { dims: number[]; ax: number; outer: number; inner: number } {
  if (xs.length === 0) throw new OpError('Concat needs at least one input');
  const first = xs[0]!;
  const rank = first.dims.length;
  const ax = normalizeAxis(axis, rank);
  let total = 0;
  for (const x of xs) {
    if (x.type !== first.type) throw new OpError(`inputs must share one type, got ${first.type} and ${x.type}`);
    if (x.dims.length !== rank || x.dims.some((d, i) => i !== ax && d !== first.dims[i])) {
      throw new OpError(`cannot concat ${shapeStr(first.dims)} with ${shapeStr(x.dims)} on axis ${ax}`);
    }
    total += x.dims[ax]!;
  }
  const dims = first.dims.slice();
  dims[ax] = total;
  return { dims, ax, outer: sizeBetween(dims, 0, ax), inner: sizeBetween(dims, ax + 1, rank) };
}

/** Product of dims[from..to). */
function sizeBetween(dims: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i]!;
  return n;
}

export const Concat = defineOp({
  name: 'Concat',
  since: 1,
  attrs: (a, opset) => ({ axis: opset < 4 ? a.int('axis', 1) : a.int('axis') }),
  run: (inputs, { axis }) => {
    const xs: Tensor[] = [];
    for (let i = 0; i < inputs.length; i++) xs.push(tensorAt(inputs, i, `input ${i}`));
    const { dims, ax, outer, inner } = concatPlan(xs, axis);
    const first = xs[0]!;
    const total = dims[ax]!;
    const out = allocLike(first.type, outer * total * inner, 'Concat');
    let q = 0;
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const blk = x.dims[ax]! * inner;
        copyRun(out, q, x.data, o * blk, blk);
        q += blk;
      }
    }
    return [new Tensor(first.type, out, dims)];
  },
  infer: (ins, { axis }) => {
    const elem = ins.map(elemTypeOf).find((e) => e !== undefined);
    const shapes = ins.map(dimsOf);
    const known = shapes.filter((s): s is Dim[] => s !== undefined);
    if (!known.length) return [tt(elem, undefined)];
    const rank = known[0]!.length;
    const ax = axisIn(axis, rank);
    if (ax === undefined || known.some((s) => s.length !== rank)) return [tt(elem, undefined)];
    const all = known.length === shapes.length && ins.length > 0;
    const dims: Dim[] = [];
    for (let i = 0; i < rank; i++) {
      if (i === ax) dims.push(all ? known.reduce<Dim>((acc, s) => addDim(acc, s[i]), 0) : undefined);
      else dims.push(known.reduce<Dim>((acc, s) => sameDim(acc, s[i]), known[0]![i]));
    }
    return [tt(elem, dims)];
  },
});

/** Chunk sizes for Split when no explicit sizes are given (opset 18 allows a smaller last chunk). */
function equalSplits(dim: number, n: number, allowUneven: boolean): number[] {
  if (n < 1) throw new OpError(`cannot split into ${n} outputs`);
  const chunk = Math.ceil(dim / n);
  if (!allowUneven && dim % n !== 0) throw new OpError(`axis size ${dim} is not divisible into ${n} equal outputs`);
  const sizes = new Array<number>(n);
  for (let i = 0; i < n; i++) sizes[i] = Math.max(0, Math.min(chunk, dim - chunk * i));
  return sizes;
}

/** Split's outer × (size·inner) blocks, after checking that the sizes cover the axis. */
export function splitBlocks(dims: readonly number[], ax: number, sizes: readonly number[]): { outer: number; inner: number } {
  const dim = dims[ax]!;
  const sum = sizes.reduce((s, v) => s + v, 0);
  if (sizes.some((s) => s < 0) || sum !== dim) throw new OpError(`split sizes [${sizes.join(', ')}] do not sum to axis size ${dim} of ${shapeStr(dims)}`);
  return { outer: sizeBetween(dims, 0, ax), inner: sizeBetween(dims, ax + 1, dims.length) };
}

/** Splits x along ax into pieces of the given sizes (which must sum to the axis size). */
export function splitTensor(x: Tensor, ax: number, sizes: readonly number[]): Tensor[] {
  const { outer, inner } = splitBlocks(x.dims, ax, sizes);
  const rowIn = x.dims[ax]! * inner;
  const outs: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    const blk = s * inner;
    const data = allocLike(x.type, outer * blk, 'Split');
    for (let o = 0; o < outer; o++) copyRun(data, o * blk, x.data, o * rowIn + start * inner, blk);
    const dims = x.dims.slice();
    dims[ax] = s;
    outs.push(new Tensor(x.type, data, dims));
    start += s;
  }
  return outs;
}

export interface SplitAttrs { axis: number; split: number[] | undefined; numOutputs: number | undefined; opset: number }

/** Split's input, axis and part sizes: from the split input (opset 1, 13+) or attribute (opset 1-12), else equal parts. */
export function splitPlan(inputs: readonly (Value | undefined)[], { axis, split, numOutputs, opset }: SplitAttrs, outputs: number): { x: Tensor; ax: number; sizes: number[] } {
  const x = tensorAt(inputs, 0, 'input');
  const ax = normalizeAxis(axis, x.dims.length);
  const st = opset >= 13 || opset === 1 ? optTensorAt(inputs, 1, 'split') : undefined;
  const n = numOutputs ?? outputs;
  const sizes = st ? toInts(st) : split ?? equalSplits(x.dims[ax]!, n, numOutputs !== undefined);
  if (sizes.length !== outputs) throw new OpError(`split has ${sizes.length} parts but the node has ${outputs} outputs`);
  return { x, ax, sizes };
}

/** Split: sizes from the split input (opset 1, 13+) or attribute (opset 1-12), else equal parts. */
export const Split = defineOp({
  name: 'Split',
  since: 1,
  attrs: (a, opset): SplitAttrs => ({
    axis: a.int('axis', 0),
    split: opset < 13 && a.has('split') ? a.ints('split') : undefined,
    numOutputs: opset >= 18 && a.has('num_outputs') ? a.int('num_outputs') : undefined,
    opset,
  }),
  run: (inputs, attrs, ctx) => {
    const { x, ax, sizes } = splitPlan(inputs, attrs, ctx.numOutputs);
    return splitTensor(x, ax, sizes);
  },
  infer: (ins, { axis, split, numOutputs, opset }, ctx) => {
    const elem = elemTypeOf(ins[0]);
    const s = dimsOf(ins[0]);
    const n = ctx.numOutputs;
    const ax = s ? axisIn(axis, s.length) : undefined;
    // Unknown sizes: every dim but the split axis is still the input's.
    const fail = (): TypeInfo[] => Array.from({ length: n }, () => tt(elem, s && ax !== undefined ? s.map((d, i) => (i === ax ? undefined : d)) : undefined));
    if (!s || ax === undefined) return fail();
    const takesInput = opset >= 13 || opset === 1;
    let sizes: number[] | undefined;
    if (takesInput && !certainlyAbsent(ins, 1)) {
      // An input that is neither a constant nor certainly absent leaves the sizes unknown.
      sizes = constIntsAt(ctx, 1);
      if (!sizes) return fail();
    }
    if (!sizes) sizes = split;
    if (!sizes) {
      const d = s[ax];
      const parts = numOutputs ?? n;
      if (!isStatic(d) || parts < 1) return fail();
      const uneven = numOutputs !== undefined;
      if (!uneven && d % parts !== 0) return fail();
      const chunk = Math.ceil(d / parts);
      sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, d - chunk * i)));
    }
    const d = s[ax];
    if (sizes.length !== n || sizes.some((v) => v < 0) || (isStatic(d) && sizes.reduce((p, v) => p + v, 0) !== d)) return fail();
    return sizes.map((sz) => tt(elem, s.map((d, i) => (i === ax ? sz : d))));
  },
});
