import { AbortError, WasmnnError } from '../errors.js';
import type { ExternalRef } from '../onnx/model.js';
import { absoluteUrl, fetchFile, type FetchOptions } from './fetch-model.js';
import type { DeferredPayload } from '../onnx/tensor-proto.js';
import type { DataFile, ModelFileParts } from './file-reader.js';

/** Where a model comes from: a path (Node), a URL, or bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

/** External data supplied by the caller: `path` as named in the model, bytes or a path/URL to load. */
export interface ExternalDataFile {
  path: string;
  data: Uint8Array | ArrayBuffer | string;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function looksLikeUrl(s: string): boolean {
  return /^(https?|blob|data|file):/i.test(s);
}

/** Reads the model bytes and returns them with a base location for external data. URLs go through {@link fetchFile} (progress, cache, checks). */
export async function readModelSource(src: ModelSource, fetchOptions?: FetchOptions, kind: 'model' | 'data' = 'model'): Promise<{ bytes: Uint8Array; base?: string; isPath: boolean }> {
  if (src instanceof Uint8Array) return { bytes: src, isPath: false };
  if (src instanceof ArrayBuffer) return { bytes: new Uint8Array(src), isPath: false };
  const s = src instanceof URL ? src.href : src;
  if (typeof s !== 'string') throw new WasmnnError('ERR_MODEL_SOURCE', 'model must be a path, URL, Uint8Array or ArrayBuffer');
  if (isNode && (!looksLikeUrl(s) || s.startsWith('file:'))) {
    const fs = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const path = s.startsWith('file:') ? fileURLToPath(s) : s;
    try {
      const buf = await fs.readFile(path);
      return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), base: path, isPath: true };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new WasmnnError('ERR_MODEL_SOURCE', `cannot read model file "${path}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
    }
  }
  const url = absoluteUrl(s);
  return { bytes: await fetchFile(url, kind, fetchOptions), base: url, isPath: false };
}

/**
 * Like {@link readModelSource}, but a model file on disk (Node) is read by
 * {@link readModelFile}: its large payloads stay in the file until used, and
 * come back in `payloads` for the decoder.
 */
export async function readModel(src: ModelSource, fetchOptions?: FetchOptions): Promise<{ bytes: Uint8Array; payloads?: ModelFileParts['payloads']; base?: string; isPath: boolean }> {
  const s = src instanceof URL ? src.href : src;
  if (isNode && typeof s === 'string' && (!looksLikeUrl(s) || s.startsWith('file:'))) {
    const { fileURLToPath } = await import('node:url');
    const { readModelFile } = await import('./file-reader.js');
    const path = s.startsWith('file:') ? fileURLToPath(s) : s;
    return { ...(await readModelFile(path)), base: path, isPath: true };
  }
  return readModelSource(src, fetchOptions);
}

/**
 * Builds a synchronous resolver for external tensor data. Files named by the model
 * are taken from `supplied` first, then (for models loaded from a path) read from
 * beside the model; each file is read once. Files fetched by URL use `fetchOptions`
 * (progress, cache, abort; the model's integrity does not apply to them).
 */
export async function prepareExternalData(
  refsNeeded: readonly string[], base: string | undefined, isPath: boolean, supplied: readonly ExternalDataFile[] = [], fetchOptions?: FetchOptions,
): Promise<Map<string, Uint8Array | DataFile | Error>> {
  const dataFetch = fetchOptions && { ...fetchOptions, integrity: undefined };
  // Locations come from a byte scan (a superset); a file that fails to load only
  // matters if a tensor really names it, so errors are kept, not thrown.
  const files = new Map<string, Uint8Array | DataFile | Error>();
  for (const f of supplied) {
    if (typeof f.data === 'string') files.set(f.path, (await readModelSource(f.data, dataFetch, 'data')).bytes);
    else files.set(f.path, f.data instanceof Uint8Array ? f.data : new Uint8Array(f.data));
  }
  for (const loc of refsNeeded) {
    if (files.has(loc)) continue;
    try {
      if (loc.includes('..') || loc.startsWith('/') || /^[a-z]+:/i.test(loc)) {
        throw new WasmnnError('ERR_EXTERNAL_DATA', `external data location "${loc}" must be a relative path inside the model's folder`);
      }
      if (!base) throw new WasmnnError('ERR_EXTERNAL_DATA', `model uses external data file "${loc}"; pass it in options.externalData when loading from bytes`);
      if (isPath) {
        const { dirname, join } = await import('node:path');
        // Read tensor by tensor when used, like the model's own weights (file-reader.ts).
        const { openDataFile } = await import('./file-reader.js');
        files.set(loc, await openDataFile(join(dirname(base), loc)));
      } else {
        files.set(loc, (await readModelSource(new URL(loc, base), dataFetch, 'data')).bytes);
      }
    } catch (e) {
      if (e instanceof AbortError) throw e;
      files.set(loc, e as Error);
    }
  }
  return files;
}

/** Slices one tensor's bytes out of a loaded external file, with bounds checks. */
export function sliceExternal(files: ReadonlyMap<string, Uint8Array | DataFile | Error>, ref: ExternalRef, tensor: string): Uint8Array | DeferredPayload {
  const f = files.get(ref.location);
  if (f instanceof Error) throw f;
  if (!f) throw new WasmnnError('ERR_EXTERNAL_DATA', `external data file "${ref.location}" for tensor "${tensor}" was not supplied`);
  const size = f instanceof Uint8Array ? f.length : f.size;
  const len = ref.length ?? size - ref.offset;
  if (!Number.isSafeInteger(ref.offset) || !Number.isSafeInteger(len) || ref.offset < 0 || len < 0 || ref.offset + len > size) {
    throw new WasmnnError('ERR_EXTERNAL_DATA', `tensor "${tensor}": bytes ${ref.offset}..${ref.offset + len} lie outside external file "${ref.location}" (${size} bytes)`);
  }
  return f instanceof Uint8Array ? f.subarray(ref.offset, ref.offset + len) : f.range(ref.offset, len);
}

/** Scans model bytes cheaply for the external data locations its tensors name. */
export function findExternalLocations(bytes: Uint8Array): string[] {
  // Looking for the key "location" encoded in StringStringEntryProto; a superset is fine.
  const key = new TextEncoder().encode('location');
  const out = new Set<string>();
  const dec = new TextDecoder();
  // indexOf (native) jumps between candidate first bytes; a byte-by-byte loop took seconds on large models.
  outer: for (let i = bytes.indexOf(key[0]!, 2); i >= 0 && i + key.length + 3 < bytes.length; i = bytes.indexOf(key[0]!, i + 1)) {
    for (let k = 1; k < key.length; k++) if (bytes[i + k] !== key[k]) continue outer;
    // Expect: 0x0a 0x08 "location" 0x12 len value
    if (bytes[i - 1] !== 8 || bytes[i - 2] !== 0x0a || bytes[i + key.length] !== 0x12) continue;
    const len = bytes[i + key.length + 1]!;
    if (len >= 0x80) continue;
    out.add(dec.decode(bytes.subarray(i + key.length + 2, i + key.length + 2 + len)));
  }
  return [...out];
}
