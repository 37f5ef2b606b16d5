/** Slice: one strided view copy; steps may be negative, bounds are clamped like numpy. */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import { optTensorAt, tensorAt, toInts } from '../util/read.js';
import { normalizeAxes, sliceRange, stridesOf } from '../util/shape.js';
import { materialize } from './strided-copy.js';
import type { Dim } from '../../onnx/model.js';
import type { Value } from '../../values.js';
import { axesIn, certainlyAbsent, constIntsAt, dimsOf, elemTypeOf, sliceDim, staticLength, tt } from '../util/infer-shapes.js';

/** Output dims of Slice; undefined entries of starts/ends/steps (not constant) leave their axis unknown. */
function sliceDims(
  s: readonly Dim[] | undefined, starts: readonly number[] | undefined, ends: readonly number[] | undefined,
  axes: readonly number[] | undefined | null, steps: readonly number[] | undefined | null, k: number | undefined,
): Dim[] | undefined {
  if (!s) return undefined;
  const rank = s.length;
  // null: the input is there but not a constant, so any axis may be sliced.
  if (axes === null || k === undefined) return s.map(() => undefined);
  if ((starts && starts.length !== k) || (ends && ends.length !== k) || (steps && steps.length !== k)) return undefined;
  const ax = axes ? axesIn(axes, rank) : k <= rank ? Array.from({ length: k }, (_, i) => i) : undefined;
  if (!ax || ax.length !== k) return undefined;
  const out = s.slice();
  ax.forEach((a, i) => {
    const step = steps === null ? undefined : steps ? steps[i]! : 1;
    out[a] = starts && ends && step !== undefined ? sliceDim(s[a], starts[i]!, ends[i]!, step) : undefined;
  });
  return out;
}

/** A strided view of the input: output dims, element strides along them (negative for negative steps), and the first element's offset. */
export interface SliceView { dims: number[]; strides: number[]; offset: number }

/** Slice's view of a tensor of shape xDims; starts/ends/steps are per entry of axes (int64 extremes arrive clamped to ±2^53). */
export function slicePlan(xDims: readonly number[], starts: readonly number[], ends: readonly number[], axes: readonly number[] | undefined, steps: readonly number[] | undefined): SliceView {
  const rank = xDims.length;
  const k = starts.length;
  if (ends.length !== k) throw new OpError(`starts has ${k} entries but ends has ${ends.length}`);
  const ax = axes ? normalizeAxes(axes, rank) : Array.from({ length: k }, (_, i) => i);
  if (ax.length !== k) throw new OpError(`axes has ${ax.length} entries, expected ${k}`);
  if (steps && steps.length !== k) throw new OpError(`steps has ${steps.length} entries, expected ${k}`);
  const st = stridesOf(xDims);
  const dims = xDims.slice();
  const strides = st.slice();
  let offset = 0;
  for (let i = 0; i < k; i++) {
    const a = ax[i]!;
    const d = xDims[a]!;
    const step = steps ? steps[i]! : 1;
    if (step === 0) throw new OpError(`step for axis ${a} must not be 0`);
    const { start: s, count } = sliceRange(d, starts[i]!, ends[i]!, step);
    dims[a] = count;
    strides[a] = st[a]! * step;
    if (count > 0) offset += s * st[a]!;
  }
  return { dims, strides, offset };
}

/** Slices x (see {@link slicePlan}). */
export function sliceTensor(x: Tensor, starts: readonly number[], ends: readonly number[], axes: readonly number[] | undefined, steps: readonly number[] | undefined): Tensor {
  const { dims, strides, offset } = slicePlan(x.dims, starts, ends, axes, steps);
  return new Tensor(x.type, materialize(x.type, x.data, offset, strides, dims, 'Slice'), dims);
}

/** Slice-10+'s data and its view, from the starts/ends/axes/steps inputs. */
export function sliceInputs(inputs: readonly (Value | undefined)[]): { x: Tensor; view: SliceView } {
  const x = tensorAt(inputs, 0, 'data');
  const axes = optTensorAt(inputs, 3, 'axes');
  const steps = optTensorAt(inputs, 4, 'steps');
  const view = slicePlan(x.dims, toInts(tensorAt(inputs, 1, 'starts')), toInts(tensorAt(inputs, 2, 'ends')),
    axes ? toInts(axes) : undefined, steps ? toInts(steps) : undefined);
  return { x, view };
}

/** Slice-1..9: starts/ends/axes attributes. */
export const Slice1 = defineOp({
  name: 'Slice',
  since: 1,
  attrs: (a) => ({ starts: a.ints('starts'), ends: a.ints('ends'), axes: a.has('axes') ? a.ints('axes') : undefined }),
  run: (inputs, { starts, ends, axes }) => [sliceTensor(tensorAt(inputs, 0, 'data'), starts, ends, axes, undefined)],
  infer: (ins, { starts, ends, axes }) => [tt(elemTypeOf(ins[0]), sliceDims(dimsOf(ins[0]), starts, ends, axes, undefined, starts.length))],
});

/** Slice-10+: starts/ends/axes/steps inputs. */
export const Slice = defineOp({
  name: 'Slice',
  since: 10,
  run: (inputs) => {
    const { x, view } = sliceInputs(inputs);
    return [new Tensor(x.type, materialize(x.type, x.data, view.offset, view.strides, view.dims, 'Slice'), view.dims)];
  },
  infer: (ins, _attrs, ctx) => {
    const starts = constIntsAt(ctx, 1), ends = constIntsAt(ctx, 2);
    const axes = certainlyAbsent(ins, 3) ? undefined : constIntsAt(ctx, 3) ?? null;
    const steps = certainlyAbsent(ins, 4) ? undefined : constIntsAt(ctx, 4) ?? null;
    const k = starts?.length ?? ends?.length ?? axes?.length ?? steps?.length ?? staticLength(ins[1]) ?? staticLength(ins[2]);
    return [tt(elemTypeOf(ins[0]), sliceDims(dimsOf(ins[0]), starts, ends, axes, steps, k))];
  },
});
