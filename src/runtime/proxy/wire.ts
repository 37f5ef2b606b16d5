/**
 * Values and errors crossing to and from the proxy worker. postMessage clones plain data,
 * typed arrays and buffers; URLs are encoded (Node cannot clone them); functions and class
 * instances (a Tokenizer, an AbortSignal, a cache object) are refused with a clear error
 * rather than arriving broken on the other side.
 */
import * as errors from '../../errors.js';
import type { WireError } from './protocol.js';

const URL_KEY = '$wasmnnUrl';

/** Checks and encodes `v` for postMessage; `path` names it in errors (`options.tokenizer`). */
export function toWire(v: unknown, path: string): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol') throw refuse(path, `is a ${typeof v}`);
    return v;
  }
  if (v instanceof URL) return { [URL_KEY]: v.href };
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map((x, i) => toWire(x, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    throw refuse(path, `is a ${(v as object).constructor?.name ?? 'non-plain'} object`);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x, `${path}.${k}`)]));
}

/** Decodes what {@link toWire} encoded. */
export function fromWire(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map(fromWire);
  const o = v as Record<string, unknown>;
  if (typeof o[URL_KEY] === 'string' && Object.keys(o).length === 1) return new URL(o[URL_KEY] as string);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromWire(x)]));
}

function refuse(path: string, what: string): errors.WasmnnError {
  return new errors.WasmnnError('ERR_PROXY_OPTION', `${path} ${what}, which cannot cross to the proxy worker; pass plain data (a path, URL or bytes for files) or use proxy: false`);
}

/** An error thrown in the worker, as it crosses back. */
export function errorToWire(e: unknown): WireError {
  const err = e as { name?: string; code?: string; message?: string };
  const fields: Record<string, string | number | boolean> = {};
  if (e && typeof e === 'object') {
    for (const [k, x] of Object.entries(e)) {
      if (k !== 'code' && (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) fields[k] = x;
    }
  }
  return { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e), fields };
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * The caller's copy of a worker error: the same class where it is one of wasmnn's
 * (so `instanceof PipelineError` holds) or a standard one, with its code and fields.
 */
export function errorFromWire(w: WireError): Error {
  const own = Object.hasOwn(errors, w.name) ? (errors as unknown as Record<string, unknown>)[w.name] : undefined;
  const cls = typeof own === 'function' && (own as ErrorClass).prototype instanceof errors.WasmnnError ? own as ErrorClass : undefined;
  let e: Error;
  if (cls || w.code) {
    e = new errors.WasmnnError((w.code ?? 'ERR_PROXY') as never, w.message);
    if (cls) Object.setPrototypeOf(e, cls.prototype);
  } else {
    const std = (globalThis as unknown as Record<string, unknown>)[w.name];
    e = typeof std === 'function' && ((std as ErrorClass).prototype instanceof Error || std === Error)
      ? new (std as new (m: string) => Error)(w.message) : new errors.WasmnnError('ERR_PROXY', w.message);
  }
  Object.assign(e, w.fields ?? {});
  e.name = w.name;
  return e;
}
