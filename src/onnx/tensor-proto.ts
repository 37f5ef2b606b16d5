import { dtypeFromOnnx, dtypeInfo, storageCtor, type DataType, type NumericArray, type TensorData } from '../dtype.js';
import { ModelParseError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Optional, Sequence, type Value } from '../values.js';
import { fileBackedTensor } from './lazy-tensor.js';
import type { ExternalRef } from './model.js';
import { PbReader, Wire } from './protobuf.js';

/** Resolves external tensor data to bytes, or to bytes read on first use (the loader knows where the data file is). */
export type ExternalResolver = (ref: ExternalRef, tensorName: string) => Uint8Array | DeferredPayload;

/** A raw_data payload whose bytes are read only when the tensor's data is first used. */
export interface DeferredPayload {
  readonly length: number;
  read(): Uint8Array;
  /** Reads the bytes into `into` (exactly `length` bytes). */
  readInto(into: Uint8Array): void;
}

/**
 * Field number (varint, index into `payloads`) that a loader writes into a TensorProto
 * in place of its raw_data when it keeps the payload out of the bytes it hands to the
 * decoder (see load/file-reader.ts). Ignored unless `payloads` is given.
 */
export const PAYLOAD_FIELD = 1_000_000;

export interface TensorDecodeOptions {
  external?: ExternalResolver;
  /** Payloads kept out of the model bytes, referenced by {@link PAYLOAD_FIELD}. */
  payloads?: readonly (Uint8Array | DeferredPayload)[];
}

/** Upper bound on element counts we accept from a declared shape, to reject absurd sizes early. */
const MAX_ELEMENTS = 2 ** 32;

/** Decodes a TensorProto. Raw data becomes a view into the model bytes when aligned. */
export function decodeTensor(r: PbReader, opts: TensorDecodeOptions = {}): { name: string; tensor: Tensor } {
  const dims: number[] = [];
  let code = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  let deferred: DeferredPayload | undefined;
  const nums: number[] = [];
  const bigs: bigint[] = [];
  const strings: Uint8Array[] = [];
  let external: Record<string, string> | undefined;
  let location = 0;
  let hasSegment = false;
  while (!r.done) {
    const [f, w] = r.tag();
    switch (f) {
      case 1: r.repeated(w, Wire.Varint, () => dims.push(r.int64())); break;
      case 2: r.expect(w, Wire.Varint, 'TensorProto.data_type'); code = r.int32(); break;
      case 3: r.skip(w); hasSegment = true; break;
      case 4: r.repeated(w, Wire.I32, () => nums.push(r.float())); break;
      case 5: r.repeated(w, Wire.Varint, () => nums.push(r.int32())); break;
      case 6: r.expect(w, Wire.Len, 'TensorProto.string_data'); strings.push(r.bytes()); break;
      case 7: r.repeated(w, Wire.Varint, () => bigs.push(r.varintBig())); break;
      case 8: r.expect(w, Wire.Len, 'TensorProto.name'); name = r.string(); break;
      case 9: r.expect(w, Wire.Len, 'TensorProto.raw_data'); raw = r.bytes(); break;
      case 10: r.repeated(w, Wire.I64, () => nums.push(r.double())); break;
      case 11: r.repeated(w, Wire.Varint, () => bigs.push(BigInt.asUintN(64, r.varintBig()))); break;
      case 13: {
        r.expect(w, Wire.Len, 'TensorProto.external_data');
        const e = r.sub();
        let k = '', v = '';
        while (!e.done) {
          const [ef, ew] = e.tag();
          if (ef === 1 && ew === Wire.Len) k = e.string();
          else if (ef === 2 && ew === Wire.Len) v = e.string();
          else e.skip(ew);
        }
        (external ??= {})[k] = v;
        break;
      }
      case 14: r.expect(w, Wire.Varint, 'TensorProto.data_location'); location = r.varint(); break;
      case PAYLOAD_FIELD: {
        if (!opts.payloads) { r.skip(w); break; }
        r.expect(w, Wire.Varint, 'TensorProto.raw_data (kept by the loader)');
        const p = opts.payloads[r.varint()];
        if (!p) r.fail('reference to a payload the loader did not keep');
        if (p instanceof Uint8Array) raw = p;
        else deferred = p;
        break;
      }
      default: r.skip(w);
    }
  }
  const type = dtypeFromOnnx(code);
  const what = `tensor "${name}"`;
  if (!type) throw new ModelParseError(`${what} has unknown data type ${code}`);
  if (hasSegment) throw new ModelParseError(`${what} uses segmented storage, which is not supported`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelParseError(`${what} has invalid dimension ${d}`);
    count *= d;
  }
  if (count > MAX_ELEMENTS) throw new ModelParseError(`${what} declares ${count} elements, more than the ${MAX_ELEMENTS} supported`);

  if (location === 1) {
    if (!external?.location) throw new ModelParseError(`${what} is stored externally but names no location`);
    if (!opts.external) throw new ModelParseError(`${what} is stored in external file "${external.location}", but no external data was supplied (load the model from a path, or pass externalData)`);
    const ref: ExternalRef = {
      location: external.location,
      offset: external.offset ? Number(external.offset) : 0,
      length: external.length ? Number(external.length) : undefined,
    };
    const got = opts.external(ref, name);
    if (got instanceof Uint8Array) raw = got;
    else deferred = got;
  }
  if (deferred && raw === undefined) {
    checkRawLength(type, deferred.length, count, what);
    const p = deferred;
    // float32 storage is the raw bytes themselves (little-endian), so they can be read straight into place.
    const readRaw = type === 'float32' ? (into: Uint8Array) => p.readInto(into) : undefined;
    return { name, tensor: fileBackedTensor(type, dims, count, () => fromRaw(type, p.read(), count, what), readRaw) };
  }
  const data = raw !== undefined ? fromRaw(type, raw, count, what) : fromTyped(type, count, nums, bigs, strings, what);
  return { name, tensor: new Tensor(type, data, dims) };
}

function checkRawLength(type: DataType, length: number, count: number, what: string): void {
  if (type === 'string') throw new ModelParseError(`${what}: string tensors cannot use raw_data`);
  const expected = Math.ceil(count * dtypeInfo(type).rawBytes);
  if (length !== expected) throw new ModelParseError(`${what}: raw_data has ${length} bytes, expected ${expected} for ${count} ${type} elements`);
}

function fromRaw(type: DataType, raw: Uint8Array, count: number, what: string): TensorData {
  checkRawLength(type, raw.length, count, what);
  const info = dtypeInfo(type);
  const isComplex = info.kind === 'complex';
  if (info.rawBytes < 1) return unpackSubByte(type, raw, count);
  const Ctor = storageCtor(type);
  const n = isComplex ? count * 2 : count;
  const bpe = Ctor.BYTES_PER_ELEMENT;
  if ((raw.byteOffset % bpe) === 0) return new Ctor(raw.buffer, raw.byteOffset, n);
  // Misaligned: copy the bytes into fresh (aligned) storage.
  const out = new Ctor(n);
  new Uint8Array(out.buffer).set(raw);
  return out;
}

function unpackSubByte(type: DataType, raw: Uint8Array, count: number): TensorData {
  const signed = type === 'int4' || type === 'int2';
  const bitsPer = dtypeInfo(type).rawBytes === 0.5 ? 4 : 2;
  const out = new (signed ? Int8Array : Uint8Array)(count);
  const mask = (1 << bitsPer) - 1;
  const perByte = 8 / bitsPer;
  for (let i = 0; i < count; i++) {
    let v = (raw[Math.floor(i / perByte)]! >> ((i % perByte) * bitsPer)) & mask;
    if (signed && v >= 1 << (bitsPer - 1)) v -= 1 << bitsPer;
    out[i] = v;
  }
  return out;
}

function fromTyped(type: DataType, count: number, nums: number[], bigs: bigint[], strings: Uint8Array[], what: string): TensorData {
  if (type === 'string') {
    if (strings.length !== count) throw new ModelParseError(`${what}: has ${strings.length} strings, expected ${count}`);
    const dec = new TextDecoder();
    return strings.map((s) => dec.decode(s));
  }
  const info = dtypeInfo(type);
  if (info.rawBytes < 1) {
    // Sub-byte types in int32_data: each int32 holds one packed byte.
    const bytes = Uint8Array.from(nums, (x) => x & 0xff);
    if (bytes.length !== Math.ceil(count * info.rawBytes)) throw new ModelParseError(`${what}: has ${bytes.length} packed bytes, expected ${Math.ceil(count * info.rawBytes)}`);
    return unpackSubByte(type, bytes, count);
  }
  const n = info.kind === 'complex' ? count * 2 : count;
  const src = type === 'int64' || type === 'uint64' ? bigs : nums;
  if (src.length !== n) {
    if (src.length === 0 && n > 0 && (nums.length + bigs.length) === 0) throw new ModelParseError(`${what}: no data for ${count} ${type} elements`);
    if (src.length !== n) throw new ModelParseError(`${what}: has ${src.length} values, expected ${n}`);
  }
  const Ctor = storageCtor(type);
  const out = new Ctor(n) as NumericArray;
  if (type === 'int64') for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = BigInt.asIntN(64, bigs[i]!);
  else if (type === 'uint64') for (let i = 0; i < n; i++) (out as BigUint64Array)[i] = BigInt.asUintN(64, bigs[i]!);
  // uint32 also arrives in uint64_data.
  else if (type === 'uint32' && bigs.length === n) for (let i = 0; i < n; i++) (out as Uint32Array)[i] = Number(bigs[i]!);
  else (out as Float64Array).set(nums);
  return out as TensorData;
}

/**
 * Decodes a serialized test value: TensorProto, SequenceProto or OptionalProto.
 * `kind` says which message the bytes hold (from the graph's declared type).
 */
export function decodeValue(bytes: Uint8Array, kind: 'tensor' | 'sequence' | 'optional', opts: TensorDecodeOptions = {}): Value {
  const r = new PbReader(bytes);
  if (kind === 'tensor') return decodeTensor(r, opts).tensor;
  return kind === 'sequence' ? decodeSequence(r, opts) : decodeOptional(r, opts);
}

function decodeSequence(r: PbReader, opts: TensorDecodeOptions): Sequence {
  const items: Tensor[] = [];
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 3 && w === Wire.Len) items.push(decodeTensor(r.sub(), opts).tensor);
    else if (f === 5 || f === 6 || f === 7 || f === 4) throw new ModelParseError('nested sequences, maps and sparse tensors in SequenceProto are not supported', r.pos);
    else r.skip(w);
  }
  return new Sequence(items, items[0]?.type);
}

function decodeOptional(r: PbReader, opts: TensorDecodeOptions): Optional {
  let value: Tensor | Sequence | null = null;
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 3 && w === Wire.Len) value = decodeTensor(r.sub(), opts).tensor;
    else if (f === 5 && w === Wire.Len) value = decodeSequence(r.sub(), opts);
    else r.skip(w);
  }
  return new Optional(value);
}

/** Decodes a SparseTensorProto into an equivalent dense tensor. */
export function decodeSparseTensor(r: PbReader, opts: TensorDecodeOptions = {}): { name: string; tensor: Tensor } {
  let values: { name: string; tensor: Tensor } | undefined;
  let indices: Tensor | undefined;
  const dims: number[] = [];
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1 && w === Wire.Len) values = decodeTensor(r.sub(), opts);
    else if (f === 2 && w === Wire.Len) indices = decodeTensor(r.sub(), opts).tensor;
    else if (f === 3) r.repeated(w, Wire.Varint, () => dims.push(r.int64()));
    else r.skip(w);
  }
  if (!values || !indices) throw new ModelParseError('sparse tensor without values or indices');
  const v = values.tensor;
  let count = 1;
  for (const d of dims) count *= d;
  if (count > MAX_ELEMENTS) throw new ModelParseError(`sparse tensor "${values.name}" declares ${count} elements`);
  const out = new Tensor(v.type, v.type === 'string' ? new Array<string>(count).fill('') : new (storageCtor(v.type))(count), dims);
  const nnz = v.size;
  const idx = indices.data as BigInt64Array;
  const rank = indices.dims.length === 2 ? indices.dims[1]! : 1;
  for (let k = 0; k < nnz; k++) {
    let flat = 0;
    if (indices.dims.length === 2) {
      for (let d = 0; d < rank; d++) flat = flat * dims[d]! + Number(idx[k * rank + d]);
    } else flat = Number(idx[k]);
    if (flat < 0 || flat >= count) throw new ModelParseError(`sparse tensor "${values.name}": index ${flat} out of range`);
    (out.data as unknown as unknown[])[flat] = (v.data as unknown as unknown[])[k];
  }
  return { name: values.name, tensor: out };
}
