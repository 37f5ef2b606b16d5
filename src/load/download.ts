/**
 * Streams one URL with fetch, reporting `download` progress, and rejects what
 * is not the file asked for: HTTP errors, HTML pages, bodies shorter than their
 * Content-Length, and (for models) bytes that are not a ModelProto.
 */
import { AbortError, ModelFetchError } from '../errors.js';
import type { ProgressCallback } from './progress.js';
import { describeBody, looksLikeHtml, notAModelReason } from './response-check.js';

/** What a URL holds: an ONNX model, or an external data (weights) file. */
export type FileKind = 'model' | 'data';

export interface DownloadOptions {
  kind: FileKind;
  signal: AbortSignal;
  emit: ProgressCallback;
  /** Sent as If-None-Match to revalidate a cached copy. */
  ifNoneMatch?: string;
}

export type Downloaded = { notModified: false; bytes: Uint8Array; etag?: string } | { notModified: true };

/** Emit at most this many download events per file (plus the first and last). */
const MAX_EVENTS = 200;

export async function download(url: string, o: DownloadOptions): Promise<Downloaded> {
  let res: Response;
  try {
    res = await fetch(url, { signal: o.signal, headers: o.ifNoneMatch ? { 'if-none-match': o.ifNoneMatch } : {} });
  } catch (e) {
    if (o.signal.aborted) throw new AbortError(url, { cause: e });
    throw new ModelFetchError('ERR_FETCH', url, `fetching "${url}" failed: ${(e as Error)?.message ?? e}`, undefined, { cause: e });
  }
  if (res.status === 304 && o.ifNoneMatch) return { notModified: true };
  const type = res.headers.get('content-type');
  if (!res.ok) {
    const head = await readHead(res, 4096);
    throw new ModelFetchError('ERR_FETCH', url, `fetching "${url}" failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}; the server sent ${describeBody(head, type)}`, res.status);
  }
  // With Content-Encoding the length counts compressed bytes, not what the body yields.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const lengthHeader = res.headers.get('content-length');
  const total = !encoded && lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const bytes = await readBody(res, url, total, o);
  if (total !== undefined && bytes.length < total) {
    throw new ModelFetchError('ERR_TRUNCATED', url, `"${url}" is truncated: ${bytes.length} of ${total} bytes arrived (Content-Length ${total})`, res.status);
  }
  const what = o.kind === 'model' ? 'an ONNX model' : 'an external data file';
  if (looksLikeHtml(bytes, type)) {
    throw new ModelFetchError('ERR_NOT_A_MODEL', url, `"${url}" is not ${what}: the server sent ${describeBody(bytes, type)}`, res.status);
  }
  if (o.kind === 'model') {
    const why = notAModelReason(bytes);
    if (why) throw new ModelFetchError('ERR_NOT_A_MODEL', url, `"${url}" is not an ONNX model (${why}); the server sent ${describeBody(bytes, type)}`, res.status);
  }
  return { notModified: false, bytes, etag: res.headers.get('etag') ?? undefined };
}

async function readBody(res: Response, url: string, total: number | undefined, o: DownloadOptions): Promise<Uint8Array> {
  const emit = (loaded: number) => o.emit({ phase: 'download', loaded, total, url });
  emit(0);
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    emit(b.length);
    return b;
  }
  const reader = res.body.getReader();
  // With a known length the body is written straight into its final buffer.
  const whole = total !== undefined ? new Uint8Array(total) : undefined;
  const chunks: Uint8Array[] = [];
  const step = Math.max(1 << 16, Math.ceil((total ?? 0) / MAX_EVENTS));
  let loaded = 0;
  let lastEmit = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (whole) {
        if (loaded + value.length > whole.length) {
          throw new ModelFetchError('ERR_FETCH', url, `"${url}" sent more than its Content-Length of ${total} bytes`, res.status);
        }
        whole.set(value, loaded);
      } else {
        chunks.push(value);
      }
      loaded += value.length;
      if (loaded - lastEmit >= step) { emit(loaded); lastEmit = loaded; }
    }
  } catch (e) {
    if (o.signal.aborted) throw new AbortError(url, { cause: e });
    if (e instanceof ModelFetchError) throw e;
    const of = total !== undefined ? ` of ${total}` : '';
    throw new ModelFetchError('ERR_TRUNCATED', url, `"${url}" is truncated: the connection failed after ${loaded}${of} bytes (${(e as Error)?.message ?? e})`, res.status, { cause: e });
  }
  if (lastEmit !== loaded) emit(loaded);
  if (whole) return loaded === whole.length ? whole : whole.subarray(0, loaded);
  return concat(chunks, loaded);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The first `limit` bytes of an error response, for the message. */
async function readHead(res: Response, limit: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
  } catch { /* what arrived is enough for a message */ }
  await reader.cancel().catch(() => {});
  return concat(chunks, n).subarray(0, limit);
}
