/**
 * The geometry shared by every reduction-style kernel in this family: which axes
 * are reduced, the output shape, and two offset tables that turn any axis set
 * into an (output element) × (reduced element) iteration without transposes.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { toInts } from '../util/read.js';
import { normalizeAxes, stridesOf } from '../util/shape.js';

/**
 * `outBase[o] + redOff[r]` is the input offset of reduced element r of output element o.
 * Adjacent dims of the same kind are merged first and size-1 dims dropped, so a
 * contiguous axis block is the classic outer × reduced × inner decomposition.
 */
export interface ReducePlan {
  /** Output shape with keepdims=1 (reduced dims set to 1). */
  readonly keptDims: number[];
  /** Output shape as requested (keepdims or not). */
  readonly outDims: number[];
  /** Number of output elements. */
  readonly outSize: number;
  /** Number of input elements folded into each output element. */
  readonly redSize: number;
  readonly outBase: Int32Array;
  readonly redOff: Int32Array;
}

/** A block of adjacent dims of one kind (reduced or kept), merged when contiguous in memory. */
export interface ReduceRun { size: number; stride: number; readonly reduced: boolean }

/** The output shapes and the merged runs of dims (outermost first, size-1 dims dropped) of a reduction. */
export interface ReduceLayout {
  readonly keptDims: number[];
  readonly outDims: number[];
  readonly runs: readonly ReduceRun[];
}

/** Shapes and runs of reducing `dims` over `axes` (already normalised, no duplicates). */
export function reduceLayout(dims: readonly number[], axes: readonly number[], keepdims: boolean): ReduceLayout {
  const rank = dims.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const strides = stridesOf(dims);
  const keptDims = dims.map((d, i) => (reduced[i] ? 1 : d));
  const outDims = keepdims ? keptDims : dims.filter((_, i) => !reduced[i]);
  const runs: ReduceRun[] = [];
  for (let i = 0; i < rank; i++) {
    const d = dims[i]!;
    if (d === 1) continue;
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced[i] && last.stride === d * strides[i]!) {
      last.size *= d;
      last.stride = strides[i]!;
    } else runs.push({ size: d, stride: strides[i]!, reduced: reduced[i]! });
  }
  return { keptDims, outDims, runs };
}

/** Builds the plan for reducing `dims` over `axes` (already normalised, no duplicates). */
export function planReduce(dims: readonly number[], axes: readonly number[], keepdims: boolean): ReducePlan {
  const { keptDims, outDims, runs } = reduceLayout(dims, axes, keepdims);
  const of = (reduced: boolean) => runs.filter((r) => r.reduced === reduced).map((r): [number, number] => [r.size, r.stride]);
  const outBase = offsetTable(of(false));
  const redOff = offsetTable(of(true));
  return { keptDims, outDims, outSize: outBase.length, redSize: redOff.length, outBase, redOff };
}

/** Row-major enumeration of the offsets spanned by `runs` of (size, stride), outermost first. */
export function offsetTable(runs: readonly [number, number][]): Int32Array {
  let n = 1;
  for (const [d] of runs) n *= d;
  const out = new Int32Array(n);
  let len = 1;
  // Expand from the innermost run outwards so each step is a block copy plus offset.
  for (let k = runs.length - 1; k >= 0; k--) {
    const [d, s] = runs[k]!;
    for (let j = d - 1; j >= 1; j--) {
      const add = j * s;
      const dst = j * len;
      for (let i = 0; i < len; i++) out[dst + i] = out[i]! + add;
    }
    len *= d;
  }
  return out;
}

/** The list of axes to reduce: all axes when `axes` is empty (unless noop), normalised. */
export function resolveAxes(axes: readonly number[] | undefined, rank: number, noopWithEmpty: boolean): number[] | 'noop' {
  if (!axes || axes.length === 0) return noopWithEmpty ? 'noop' : Array.from({ length: rank }, (_, i) => i);
  return normalizeAxes(axes, rank);
}

/** Reads an optional axes input (1-D int64 tensor). */
export function axesFromInput(t: Tensor | undefined): number[] | undefined {
  if (!t) return undefined;
  if (t.type !== 'int64' && t.type !== 'int32') throw new OpError(`axes must be int64, got ${t.type}`);
  if (t.dims.length > 1) throw new OpError(`axes must be 1-D, got shape [${t.dims.join(', ')}]`);
  return toInts(t);
}

/** Sizes of the dims before `axis`, at `axis` (through `end`, exclusive) and after: outer × mid × inner. */
export function splitAxis(dims: readonly number[], axis: number, end = axis + 1): [number, number, number] {
  let outer = 1, mid = 1, inner = 1;
  for (let i = 0; i < dims.length; i++) {
    if (i < axis) outer *= dims[i]!;
    else if (i < end) mid *= dims[i]!;
    else inner *= dims[i]!;
  }
  return [outer, mid, inner];
}
