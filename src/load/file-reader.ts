/**
 * Reads an ONNX file from disk (Node) without holding the whole file: the
 * message structure is walked with positioned reads, and each initializer's
 * raw_data is lifted out. Small payloads are read into their own (aligned)
 * buffers now; large ones are read when the tensor's data is first used, so a
 * weight that a backend copies into its own memory passes through JS once and
 * is then dropped (see onnx/lazy-tensor.ts).
 *
 * What the decoder receives is the model's bytes with each lifted raw_data
 * replaced by a {@link PAYLOAD_FIELD} reference, and enclosing lengths
 * rewritten. Anything the walker does not understand is passed on verbatim,
 * so malformed files fail in the decoder with its usual errors.
 *
 * node:fs is imported dynamically: bundles for browsers include this module
 * (behind a dynamic import they never take), and a static import would break them.
 */
import type * as NodeFs from 'node:fs';
import { WasmnnError } from '../errors.js';
import { PAYLOAD_FIELD, type DeferredPayload } from '../onnx/tensor-proto.js';

/** The model bytes with payloads lifted out, and those payloads. */
export interface ModelFileParts {
  bytes: Uint8Array;
  payloads: (Uint8Array | DeferredPayload)[];
}

/** Payloads at least this large are read on first use instead of now. */
const DEFER_BYTES = 64 * 1024;
const WINDOW = 64 * 1024;

const Len = 2;
const MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5, TENSOR_RAW_DATA = 9;

/** An external data file on disk: its size, and tensors' byte ranges read on first use. */
export interface DataFile {
  readonly size: number;
  range(offset: number, length: number): Uint8Array | DeferredPayload;
}

/** Opens an external data file beside a model (Node); throws WasmnnError if it cannot be read. */
export async function openDataFile(path: string): Promise<DataFile> {
  const { openSync, fstatSync, closeSync } = fs ??= await import('node:fs');
  let stamp: { size: number; mtimeMs: number };
  try {
    const fd = openSync(path, 'r');
    try { const st = fstatSync(fd); stamp = { size: st.size, mtimeMs: st.mtimeMs }; } finally { closeSync(fd); }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WasmnnError('ERR_EXTERNAL_DATA', `cannot read external data file "${path}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  return {
    size: stamp.size,
    range: (offset, length) => length < DEFER_BYTES
      ? readRange(path, stamp, offset, new Uint8Array(length))
      : { length, read: () => readRange(path, stamp, offset, new Uint8Array(length)), readInto: (into) => { readRange(path, stamp, offset, into); } },
  };
}

let fs: typeof NodeFs | undefined;

/** Reads the model at `path`; see the module comment. */
export async function readModelFile(path: string): Promise<ModelFileParts> {
  const { openSync, fstatSync, closeSync } = fs ??= await import('node:fs');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WasmnnError('ERR_MODEL_SOURCE', `cannot read model file "${path}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    const file = new FileWindow(fd, st.size);
    const stamp = { size: st.size, mtimeMs: st.mtimeMs };
    const payloads: ModelFileParts['payloads'] = [];
    const liftPayload = (body: number, len: number): number => {
      payloads.push(len >= DEFER_BYTES
        ? { length: len, read: () => readRange(path, stamp, body, new Uint8Array(len)), readInto: (into) => { readRange(path, stamp, body, into); } }
        : file.copy(body, len));
      return payloads.length - 1;
    };
    const tensor = (start: number, end: number) => walk(file, start, end, (f, out) => {
      if (f.num === PAYLOAD_FIELD) return true; // never trust a reference found in the file itself
      if (f.num !== TENSOR_RAW_DATA || f.wire !== Len) return false;
      out.varint(PAYLOAD_FIELD * 8).varint(liftPayload(f.body, f.next - f.body));
      return true;
    });
    const graph = (start: number, end: number) => walk(file, start, end, (f, out) => {
      if (f.num !== GRAPH_INITIALIZER || f.wire !== Len) return false;
      out.message(f.num, tensor(f.body, f.next));
      return true;
    });
    const model = walk(file, 0, st.size, (f, out) => {
      if (f.num !== MODEL_GRAPH || f.wire !== Len) return false;
      out.message(f.num, graph(f.body, f.next));
      return true;
    });
    return { bytes: model.concat(), payloads };
  } catch (e) {
    if (e instanceof WasmnnError) throw e;
    throw new WasmnnError('ERR_MODEL_SOURCE', `cannot read model file "${path}": ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

interface Field { num: number; wire: number; at: number; body: number; next: number }

/**
 * Copies the message in [start, end) field by field; `rewrite` may emit its own
 * encoding of a field (returning true). On a field it cannot parse, the rest of
 * the message is copied verbatim for the decoder to judge.
 */
function walk(file: FileWindow, start: number, end: number, rewrite: (f: Field, out: Parts) => boolean): Parts {
  const out = new Parts();
  let pos = start;
  while (pos < end) {
    const f = file.field(pos, end);
    if (!f) break;
    if (!rewrite(f, out)) out.push(file.copy(f.at, f.next - f.at));
    pos = f.next;
  }
  if (pos < end) out.push(file.copy(pos, end - pos));
  return out;
}

/** Encoded pieces of a message, concatenated once at the end. */
class Parts {
  private readonly list: Uint8Array[] = [];
  length = 0;

  push(b: Uint8Array): this {
    this.list.push(b);
    this.length += b.length;
    return this;
  }

  varint(v: number): this {
    const b: number[] = [];
    while (v >= 0x80) { b.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
    b.push(v);
    return this.push(Uint8Array.from(b));
  }

  /** A length-delimited field holding `body`. */
  message(num: number, body: Parts): this {
    this.varint(num * 8 + Len).varint(body.length);
    for (const b of body.list) this.push(b);
    return this;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const b of this.list) { out.set(b, o); o += b.length; }
    return out;
  }
}

/** Buffered positioned reads over an open file. */
class FileWindow {
  private readonly buf = new Uint8Array(WINDOW);
  private start = 0;
  private len = 0;
  constructor(private readonly fd: number, readonly size: number) {}

  private byte(pos: number): number {
    if (pos < this.start || pos >= this.start + this.len) {
      this.start = pos;
      this.len = readFully(this.fd, this.buf.subarray(0, Math.min(WINDOW, this.size - pos)), pos);
    }
    return this.buf[pos - this.start]!;
  }

  private varint(pos: number, end: number): [number, number] | undefined {
    let v = 0, mul = 1;
    for (let i = 0; i < 10 && pos < end; i++) {
      const b = this.byte(pos++);
      v += (b & 0x7f) * mul;
      if (b < 0x80) return [v, pos];
      mul *= 128;
    }
    return undefined;
  }

  /** The field starting at `pos`, or undefined where the bytes do not parse as one inside `end`. */
  field(pos: number, end: number): Field | undefined {
    const t = this.varint(pos, end);
    if (!t) return undefined;
    const num = Math.floor(t[0] / 8), wire = t[0] % 8;
    let body = t[1], next: number;
    switch (wire) {
      case 0: { const v = this.varint(body, end); if (!v) return undefined; next = v[1]; break; }
      case 1: next = body + 8; break;
      case 5: next = body + 4; break;
      case Len: { const l = this.varint(body, end); if (!l) return undefined; body = l[1]; next = body + l[0]; break; }
      default: return undefined; // groups and invalid wire types: left to the decoder
    }
    return num === 0 || next > end ? undefined : { num, wire, at: pos, body, next };
  }

  /** A fresh buffer with bytes [pos, pos + len). */
  copy(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (pos >= this.start && pos + len <= this.start + this.len) out.set(this.buf.subarray(pos - this.start, pos - this.start + len));
    else readFully(this.fd, out, pos);
    return out;
  }
}

function readFully(fd: number, into: Uint8Array, pos: number): number {
  let got = 0;
  while (got < into.length) {
    const n = fs!.readSync(fd, into, got, into.length - got, pos + got);
    if (n === 0) throw new Error(`unexpected end of file at byte ${pos + got}`);
    got += n;
  }
  return got;
}

/** Reads a deferred payload into `out`, refusing if the file changed since the model was loaded. */
function readRange(path: string, stamp: { size: number; mtimeMs: number }, pos: number, out: Uint8Array): Uint8Array {
  const { openSync, fstatSync, closeSync } = fs!;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.size !== stamp.size || st.mtimeMs !== stamp.mtimeMs) throw new Error('the file changed after the model was loaded');
    readFully(fd, out, pos);
    return out;
  } catch (e) {
    throw new WasmnnError('ERR_MODEL_SOURCE', `cannot read weights from "${path}": ${(e as Error).message}`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
