import { allocData, dtypeInfo, isDataType, type DataType, type TensorData } from './dtype.js';

/** Data accepted by the Tensor constructor: typed arrays, plain arrays, strings, booleans. */
export type TensorInput = TensorData | readonly number[] | readonly bigint[] | readonly boolean[] | readonly string[] | { buffer: ArrayBufferLike; byteOffset: number; length: number };

function inferType(data: unknown): DataType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  const F16 = (globalThis as { Float16Array?: new (...a: never[]) => unknown }).Float16Array;
  if (F16 && data instanceof F16) return 'float16';
  if (Array.isArray(data)) {
    if (data.length === 0 || typeof data[0] === 'number') return 'float32';
    if (typeof data[0] === 'string') return 'string';
    if (typeof data[0] === 'boolean') return 'bool';
    if (typeof data[0] === 'bigint') return 'int64';
  }
  throw new TypeError('cannot infer tensor type from data; pass the type explicitly');
}

function toStorage(type: DataType, data: unknown): TensorData {
  if (type === 'string') {
    if (!Array.isArray(data) || data.some((s) => typeof s !== 'string')) throw new TypeError('string tensor data must be an array of strings');
    return data as string[];
  }
  const info = dtypeInfo(type);
  const Ctor = info.ctor!;
  if (data instanceof Ctor) return data as TensorData;
  // Only same-meaning storage is reinterpreted: Float16Array bits as float16, clamped bytes as uint8/bool.
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const v = data as unknown as { buffer: ArrayBufferLike; byteOffset: number; length: number };
    const name = (data as object).constructor.name;
    if ((type === 'float16' && name === 'Float16Array') || ((type === 'uint8' || type === 'bool') && name === 'Uint8ClampedArray')) {
      return new Ctor(v.buffer, v.byteOffset, v.length);
    }
    throw new TypeError(`data of type ${name} does not match tensor type ${type} (expected ${Ctor.name})`);
  }
  if (Array.isArray(data)) {
    const out = allocData(type, data.length) as unknown as { [i: number]: number | bigint };
    const big = type === 'int64' || type === 'uint64';
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number | bigint | boolean;
      out[i] = big ? BigInt(typeof x === 'boolean' ? +x : x) : typeof x === 'bigint' ? Number(x) : +x;
    }
    return out as unknown as TensorData;
  }
  throw new TypeError(`unsupported data for a ${type} tensor`);
}

/**
 * A dense tensor on the CPU, compatible with onnxruntime-web's `Tensor`.
 *
 * Storage by type: float32 → Float32Array, float64 → Float64Array, int64 → BigInt64Array,
 * uint64 → BigUint64Array, bool → Uint8Array (0/1), string → string[], float16 and
 * bfloat16 → Uint16Array of bit patterns, float8/float4 → Uint8Array of bit patterns,
 * int4/uint4/int2/uint2 → one element per byte (Int8Array / Uint8Array).
 *
 * @example new Tensor('float32', new Float32Array([1, 2, 3, 4]), [2, 2])
 */
export class Tensor {
  /** Element type. */
  readonly type: DataType;
  /** Element storage; its length equals `size` (twice that for complex types). */
  readonly data: TensorData;
  /** Shape. */
  readonly dims: readonly number[];
  /** Element count (product of dims). */
  readonly size: number;
  /** Always 'cpu' for tensors handed to or returned by the API. */
  readonly location = 'cpu' as const;

  constructor(type: DataType, data: TensorInput, dims?: readonly number[]);
  constructor(data: TensorInput, dims?: readonly number[]);
  constructor(a: DataType | TensorInput, b?: TensorInput | readonly number[], c?: readonly number[]) {
    let type: DataType, data: unknown, dims: readonly number[] | undefined;
    if (typeof a === 'string') {
      if (!isDataType(a)) throw new TypeError(`unknown tensor type "${a}"`);
      type = a; data = b; dims = c;
    } else {
      type = inferType(a); data = a; dims = b as readonly number[] | undefined;
    }
    this.type = type;
    this.data = toStorage(type, data);
    const len = type === 'complex64' || type === 'complex128' ? this.data.length / 2 : this.data.length;
    this.dims = dims ? Object.freeze(Array.from(dims)) : Object.freeze([len]);
    let size = 1;
    for (const d of this.dims) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid tensor dimension ${d} in [${this.dims.join(', ')}]`);
      size *= d;
    }
    if (size !== len) throw new RangeError(`tensor data length ${len} does not match dims [${this.dims.join(', ')}] (size ${size})`);
    this.size = size;
  }

  /** Makes a tensor without validation; for kernels that already produce matching storage. */
  static from(type: DataType, data: TensorData, dims: readonly number[]): Tensor {
    return new Tensor(type, data, dims);
  }

  /** Returns a tensor sharing this one's data with new dims of the same size. */
  reshape(dims: readonly number[]): Tensor {
    return new Tensor(this.type, this.data, dims);
  }

  /** Returns the data (onnxruntime-web compatibility). */
  async getData(): Promise<TensorData> {
    return this.data;
  }

  /** No-op for CPU tensors (onnxruntime-web compatibility). */
  dispose(): void {}
}

/** A tensor's fields, writable (as they are at run time; readonly is for the API's users). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The data loaders of deferred tensors (see {@link deferredTensor}). */
const loaders = new WeakMap<Tensor, () => TensorData>();

/** The one `data` property every deferred tensor defines: an enumerable getter, shared. */
const DEFERRED_DATA: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Tensor): TensorData {
    return loaders.get(this)!();
  },
};

/**
 * A Tensor of `type` and `dims` (`size` elements) whose `data` is whatever `load` returns, read
 * when first used (load keeps or re-reads it as it chooses): for storage that stays in a model
 * file or in engine memory until something reads it. Built without the constructor, which needs
 * the data up front; its fields match the constructor's, and `data` is an enumerable own getter,
 * so it compares and clones like any tensor. All share one getter function: a getter per tensor
 * gave each its own hidden class, and kernels reading `dims` or `type` saw a new shape per run.
 */
export function deferredTensor(type: DataType, dims: readonly number[], size: number, load: () => TensorData): Tensor {
  // Plain stores, in the constructor's order: with every field defined by Object.defineProperties
  // a call took about 20 µs inside a ResNet-50 run (57 a run), with the stores about 9.
  const t = Object.create(Tensor.prototype) as Mutable<Tensor>;
  t.type = type;
  Object.defineProperty(t, 'data', DEFERRED_DATA);
  t.dims = Object.freeze([...dims]);
  t.size = size;
  t.location = 'cpu';
  loaders.set(t, load);
  return t;
}
