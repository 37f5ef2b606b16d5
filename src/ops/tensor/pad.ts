/** Pad (constant/edge/reflect/wrap, negative pads crop) and CenterCropPad. */
import { allocData, type DataType } from '../../dtype.js';
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { floatToBfloat16, floatToHalf } from '../../util/half.js';
import { defineOp } from '../op.js';
import type { AttrReader } from '../attrs.js';
import { optTensorAt, tensorAt, toInts } from '../util/read.js';
import { normalizeAxes, shapeStr, stridesOf } from '../util/shape.js';
import { allocLike, copyRun, fillRun, gatherRun, wordPair, type Store } from './strided-copy.js';
import type { Dim } from '../../onnx/model.js';
import type { Value } from '../../values.js';
import { addDim, axesIn, certainlyAbsent, constIntsAt, dimsOf, elemTypeOf, isStatic, tt, unknownDims } from '../util/infer-shapes.js';
import { rowSources } from '../util/row-sources.js';

/** Padded dims: each axis grows by its begin and end pads (negative pads crop). */
function padDims(s: readonly Dim[] | undefined, pads: readonly number[] | undefined, axes: readonly number[] | undefined | null): Dim[] | undefined {
  if (!s) return undefined;
  if (!pads || axes === null) return unknownDims(s.length);
  const ax = axes ? axesIn(axes, s.length) : s.map((_, i) => i);
  if (!ax || pads.length !== 2 * ax.length) return undefined;
  const out = s.slice();
  ax.forEach((a, i) => {
    const d = addDim(addDim(s[a], pads[i]!), pads[i + ax.length]!);
    out[a] = isStatic(d) && d < 0 ? undefined : d;
  });
  return out;
}

export type PadMode = 'constant' | 'edge' | 'reflect' | 'wrap';

function parseMode(a: AttrReader, opset: number): PadMode {
  const m = a.string('mode', 'constant');
  if (m === 'constant' || m === 'edge' || m === 'reflect' || (m === 'wrap' && opset >= 19)) return m;
  return a.fail('mode', `unsupported pad mode "${m}"`);
}

/** For one axis: the source index read by each output index, or -1 for the constant. */
function axisMap(d: number, before: number, outLen: number, mode: PadMode, axis: number): Int32Array {
  const map = new Int32Array(outLen);
  if (outLen > 0 && d === 0 && mode !== 'constant') throw new OpError(`cannot ${mode}-pad axis ${axis} of size 0`);
  const period = 2 * (d - 1);
  for (let c = 0; c < outLen; c++) {
    const s = c - before;
    if (s >= 0 && s < d) map[c] = s;
    else if (mode === 'constant') map[c] = -1;
    else if (mode === 'edge') map[c] = s < 0 ? 0 : d - 1;
    else if (mode === 'wrap') map[c] = ((s % d) + d) % d;
    else if (d === 1) map[c] = 0;
    else {
      // numpy 'reflect' (mirror without repeating the edge) is periodic with 2(d-1).
      const m = ((s % period) + period) % period;
      map[c] = m < d ? m : period - m;
    }
  }
  return map;
}

/** Pads x by before[i]/after[i] elements on axis i (negative values crop). */
/** Output dims, and for each axis the source index read by each output index (-1: the constant); no maps for an empty output. */
export function padPlan(xDims: readonly number[], before: readonly number[], after: readonly number[], mode: PadMode): { dims: number[]; size: number; maps: Int32Array[] } {
  const dims = xDims.map((d, i) => d + before[i]! + after[i]!);
  if (dims.some((d) => d < 0)) throw new OpError(`pads [${before.join(', ')}, ${after.join(', ')}] crop ${shapeStr(xDims)} below zero`);
  let size = 1;
  for (const d of dims) size *= d;
  const maps = size === 0 ? [] : xDims.map((d, i) => axisMap(d, before[i]!, dims[i]!, mode, i));
  return { dims, size, maps };
}

export function padTensor(x: Tensor, before: readonly number[], after: readonly number[], mode: PadMode, value: unknown): Tensor {
  const r = x.dims.length;
  const { dims, size: n, maps } = padPlan(x.dims, before, after, mode);
  const out = allocLike(x.type, n, 'Pad');
  if (n === 0) return new Tensor(x.type, out, dims);
  if (r === 0) {
    copyRun(out, 0, x.data, 0, 1);
    return new Tensor(x.type, out, dims);
  }
  const st = stridesOf(x.dims);
  const last = maps[r - 1]!;
  const w = dims[r - 1]!;
  // Constant mode copies the valid middle of each row as one run.
  const lo = mode === 'constant' ? Math.max(0, before[r - 1]!) : 0;
  const hi = mode === 'constant' ? Math.min(w, before[r - 1]! + x.dims[r - 1]!) : 0;
  const sources = rowSources(maps, st);
  const words = wordPair(out, x.data);
  for (let q = 0; q < n; q += w) {
    const base = sources[q / w]!;
    if (base < 0) fillRun(out, q, value, w);
    else if (mode === 'constant') {
      fillRun(out, q, value, lo);
      if (hi > lo) copyRun(out, q + lo, x.data, base + last[lo]!, hi - lo);
      fillRun(out, q + Math.max(hi, lo), value, w - Math.max(hi, lo));
    } else {
      gatherRun(out, q, x.data, base, last, w, words);
    }
  }
  return new Tensor(x.type, out, dims);
}

/** Stored representation of a numeric attribute value in `type` (Pad-1/2's float `value`). */
function storedScalar(type: DataType, v: number): unknown {
  switch (type) {
    case 'int64': case 'uint64': return BigInt(Math.trunc(v));
    case 'float16': return floatToHalf(v);
    case 'bfloat16': return floatToBfloat16(v);
    case 'string': throw new OpError('Pad with a float value attribute cannot pad strings');
    default: {
      const one = allocData(type, 1) as unknown as Store;
      one[0] = v;
      return one[0];
    }
  }
}

/** Splits a [begins…, ends…] pads list, expanding it to all axes when `axes` is given. */
function splitPads(pads: readonly number[], rank: number, axes: readonly number[] | undefined): [number[], number[]] {
  const ax = axes ? normalizeAxes(axes, rank) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * ax.length) throw new OpError(`pads has ${pads.length} entries, expected ${2 * ax.length}`);
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  ax.forEach((a, i) => {
    before[a] = pads[i]!;
    after[a] = pads[i + ax.length]!;
  });
  return [before, after];
}

/** Pad's attributes: pads and value are attributes up to opset 10 and inputs from 11. */
export interface PadAttrs { mode: PadMode; pads?: number[]; value?: number }

/** Pad's data, per-axis begin/end pads (all axes), mode and fill value (as the data's storage holds it). */
export function padArgs(inputs: readonly (Value | undefined)[], { mode, pads, value }: PadAttrs): { x: Tensor; before: number[]; after: number[]; mode: PadMode; value: unknown } {
  const x = tensorAt(inputs, 0, 'data');
  if (pads) {
    const [before, after] = splitPads(pads, x.dims.length, undefined);
    return { x, before, after, mode, value: storedScalar(x.type, value ?? 0) };
  }
  const cv = optTensorAt(inputs, 2, 'constant_value');
  const axes = optTensorAt(inputs, 3, 'axes');
  if (cv && cv.type !== x.type) throw new OpError(`constant_value type ${cv.type} differs from data type ${x.type}`);
  if (cv && cv.size !== 1) throw new OpError(`constant_value must have one element, got shape ${shapeStr(cv.dims)}`);
  const [before, after] = splitPads(toInts(tensorAt(inputs, 1, 'pads')), x.dims.length, axes ? toInts(axes) : undefined);
  return { x, before, after, mode, value: cv ? cv.data[0] : allocData(x.type, 1)[0] };
}

/** Pad-1..10: pads (`paddings` in opset 1) and value are attributes. */
export const Pad2 = defineOp({
  name: 'Pad',
  since: 1,
  attrs: (a, opset): PadAttrs => ({ pads: a.ints(opset < 2 ? 'paddings' : 'pads'), mode: parseMode(a, opset), value: a.float('value', 0) }),
  run: (inputs, attrs) => {
    const { x, before, after, mode, value } = padArgs(inputs, attrs);
    return [padTensor(x, before, after, mode, value)];
  },
  infer: (ins, { pads }) => [tt(elemTypeOf(ins[0]), padDims(dimsOf(ins[0]), pads, undefined))],
});

/** Pad-11+: pads, constant_value and (opset 18) axes are inputs. */
export const Pad = defineOp({
  name: 'Pad',
  since: 11,
  attrs: (a, opset): PadAttrs => ({ mode: parseMode(a, opset) }),
  run: (inputs, attrs) => {
    const { x, before, after, mode, value } = padArgs(inputs, attrs);
    return [padTensor(x, before, after, mode, value)];
  },
  infer: (ins, _attrs, ctx) => {
    const axes = certainlyAbsent(ins, 3) ? undefined : constIntsAt(ctx, 3) ?? null;
    return [tt(elemTypeOf(ins[0]), padDims(dimsOf(ins[0]), constIntsAt(ctx, 1), axes))];
  },
});

export const CenterCropPad = defineOp({
  name: 'CenterCropPad',
  since: 18,
  attrs: (a) => ({ axes: a.has('axes') ? a.ints('axes') : undefined }),
  run: (inputs, { axes }) => {
    const x = tensorAt(inputs, 0, 'input_data');
    const shape = toInts(tensorAt(inputs, 1, 'shape'));
    const r = x.dims.length;
    const ax = axes ? normalizeAxes(axes, r) : Array.from({ length: r }, (_, i) => i);
    if (shape.length !== ax.length) throw new OpError(`shape has ${shape.length} entries, expected ${ax.length}`);
    const before = new Array<number>(r).fill(0);
    const after = new Array<number>(r).fill(0);
    ax.forEach((a, i) => {
      const diff = shape[i]! - x.dims[a]!;
      if (shape[i]! < 0) throw new OpError(`shape ${shapeStr(shape)} has a negative entry`);
      // Crop windows and pads both start at floor(diff / 2); the odd element goes to the end.
      const half = diff >= 0 ? Math.floor(diff / 2) : -Math.floor(-diff / 2);
      before[a] = half;
      after[a] = diff - half;
    });
    return [padTensor(x, before, after, 'constant', allocData(x.type, 1)[0])];
  },
  infer: (ins, { axes }, ctx) => {
    const s = dimsOf(ins[0]);
    const shape = constIntsAt(ctx, 1);
    if (!s) return [tt(elemTypeOf(ins[0]), undefined)];
    const ax = axes ? axesIn(axes, s.length) : s.map((_, i) => i);
    if (!ax) return [tt(elemTypeOf(ins[0]), undefined)];
    const out = s.slice();
    ax.forEach((a, i) => { out[a] = shape && shape.length === ax.length && shape[i]! >= 0 ? shape[i] : undefined; });
    return [tt(elemTypeOf(ins[0]), out)];
  },
});
