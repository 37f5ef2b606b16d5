/**
 * Type-generic element movement: every data-movement op (Transpose, Slice, Expand,
 * Tile, DepthToSpace…) is a strided read of the source into a contiguous output.
 */
import { allocData, type DataType, type TensorData } from '../../dtype.js';
import { OpError } from '../../errors.js';

/** Element storage indexed generically: typed arrays and string[] read and write alike. */
export type Store = { [i: number]: unknown; length: number };

/** Typed-array view used only for its `set`/`subarray`/`fill`, valid for any typed storage. */
type Typed = Float64Array;

/** Below this run length a plain loop beats `set(subarray())`. */
const SET_MIN = 16;

/** Allocates output storage for n elements; complex types are not moved element-wise here. */
export function allocLike(type: DataType, n: number, op: string): TensorData {
  if (type === 'complex64' || type === 'complex128') throw new OpError(`${op} does not support ${type} tensors`);
  return allocData(type, n);
}

/** Copies n contiguous elements src[s..s+n) to dst[d..d+n). */
export function copyRun(dst: TensorData, d: number, src: TensorData, s: number, n: number): void {
  if (n >= SET_MIN && !Array.isArray(dst)) {
    (dst as unknown as Typed).set((src as unknown as Typed).subarray(s, s + n), d);
    return;
  }
  const o = dst as Store, x = src as Store;
  for (let i = 0; i < n; i++) o[d + i] = x[s + i];
}

/** Writes value into dst[d..d+n). */
export function fillRun(dst: TensorData, d: number, value: unknown, n: number): void {
  if (n >= SET_MIN) {
    (dst as unknown as { fill(v: unknown, a: number, b: number): void }).fill(value, d, d + n);
    return;
  }
  const o = dst as Store;
  for (let i = 0; i < n; i++) o[d + i] = value;
}

/**
 * The storage as 32-bit words and words per element, for types whose elements
 * are 4 or 8 bytes; moving words is bit-exact (NaN payloads, int64 without BigInt
 * boxing) and keeps the hot loops below monomorphic.
 */
export function wordsOf(data: TensorData): { w: Uint32Array; k: number } | undefined {
  if (Array.isArray(data)) return undefined;
  const a = data as Exclude<TensorData, string[]>;
  const bytes = a.BYTES_PER_ELEMENT;
  if (bytes !== 4 && bytes !== 8) return undefined;
  return { w: new Uint32Array(a.buffer, a.byteOffset, a.length * (bytes >> 2)), k: bytes >> 2 };
}

/** Strided run of 32-bit words: n elements of k words, source step s elements. */
function stridedRun32(o: Uint32Array, q: number, x: Uint32Array, p: number, n: number, s: number, k: number): void {
  if (k === 1) {
    for (let i = 0, j = p; i < n; i++, j += s) o[q + i] = x[j]!;
  } else {
    const q2 = q * 2, s2 = s * 2;
    for (let i = 0, j = p * 2; i < n; i++, j += s2) {
      o[q2 + 2 * i] = x[j]!;
      o[q2 + 2 * i + 1] = x[j + 1]!;
    }
  }
}

function gatherWords(o: Uint32Array, q: number, x: Uint32Array, base: number, idx: Int32Array, n: number, k: number): void {
  if (k === 1) {
    for (let i = 0; i < n; i++) o[q + i] = x[base + idx[i]!]!;
  } else {
    for (let i = 0; i < n; i++) {
      const j = 2 * (base + idx[i]!), d = 2 * (q + i);
      o[d] = x[j]!;
      o[d + 1] = x[j + 1]!;
    }
  }
}

/** Word views of a destination and source of one type (see wordsOf); make once per kernel call. */
export interface WordPair { dst: Uint32Array; src: Uint32Array; k: number }

export function wordPair(dst: TensorData, src: TensorData): WordPair | undefined {
  const d = wordsOf(dst);
  return d ? { dst: d.w, src: wordsOf(src)!.w, k: d.k } : undefined;
}

/** dst[d + i] = src[base + idx[i]] for i < n (indexed element reads); pass `words` when calling in a loop. */
export function gatherRun(dst: TensorData, d: number, src: TensorData, base: number, idx: Int32Array, n: number, words = wordPair(dst, src)): void {
  if (words) {
    gatherWords(words.dst, d, words.src, base, idx, n, words.k);
    return;
  }
  const o = dst as Store, x = src as Store;
  for (let i = 0; i < n; i++) o[d + i] = x[base + idx[i]!];
}

/**
 * The same strided read with unit dims dropped and dims that are contiguous in the source
 * merged (fewest loops); undefined when the view is empty.
 */
export function coalesceView(outDims: readonly number[], srcStrides: readonly number[]): { dims: number[]; strides: number[] } | undefined {
  const dims: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < outDims.length; i++) {
    const d = outDims[i]!;
    if (d === 0) return undefined;
    if (d === 1) continue;
    const s = srcStrides[i]!;
    const last = dims.length - 1;
    if (last >= 0 && strides[last] === s * d) {
      dims[last] = dims[last]! * d;
      strides[last] = s;
    } else {
      dims.push(d);
      strides.push(s);
    }
  }
  return { dims, strides };
}

/**
 * Fills out[outOffset ..] (contiguous, shape outDims) with src read at
 * srcOffset + Σ coord[i]·srcStrides[i]. Strides may be 0 (broadcast) or negative.
 */
export function stridedCopy(src: TensorData, srcOffset: number, srcStrides: readonly number[], outDims: readonly number[], out: TensorData, outOffset = 0): void {
  const view = coalesceView(outDims, srcStrides);
  if (!view) return;
  const { dims, strides } = view;
  const o = out as Store, x = src as Store;
  const rank = dims.length;
  if (rank === 0) {
    o[outOffset] = x[srcOffset];
    return;
  }
  const n = dims[rank - 1]!;
  const s = strides[rank - 1]!;
  let outer = 1;
  for (let i = 0; i < rank - 1; i++) outer *= dims[i]!;
  const counter = new Int32Array(rank);
  const ow = s !== 1 && s !== 0 ? wordsOf(out) : undefined;
  const xw = ow ? wordsOf(src)!.w : undefined;
  let p = srcOffset;
  let q = outOffset;
  for (let r = 0; r < outer; r++) {
    if (s === 1) copyRun(out, q, src, p, n);
    else if (s === 0) fillRun(out, q, x[p], n);
    else if (ow) stridedRun32(ow.w, q, xw!, p, n, s, ow.k);
    else for (let i = 0, j = p; i < n; i++, j += s) o[q + i] = x[j];
    q += n;
    // Advance the odometer over the outer dims.
    for (let k = rank - 2; k >= 0; k--) {
      p += strides[k]!;
      if (++counter[k]! < dims[k]!) break;
      counter[k] = 0;
      p -= strides[k]! * dims[k]!;
    }
  }
}

/** Copies x viewed with (dims, strides, offset) into new contiguous storage. */
export function materialize(type: DataType, src: TensorData, offset: number, strides: readonly number[], dims: readonly number[], op: string): TensorData {
  let n = 1;
  for (const d of dims) n *= d;
  const out = allocLike(type, n, op);
  stridedCopy(src, offset, strides, dims, out);
  return out;
}
