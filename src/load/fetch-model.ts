/**
 * Loads a model or external data file by URL: from the persistent cache when
 * it holds a good copy, else streamed from the network (with progress), checked
 * (HTTP status, HTML, truncation, ModelProto shape, optional sha256 integrity)
 * and only then cached. Concurrent loads of the same file share one download.
 */
import { AbortError } from '../errors.js';
import type { CacheOption } from './cache/types.js';
import { resolveCache, type CacheStore } from './cache/store.js';
import { download, type FileKind } from './download.js';
import { parseIntegrity, sha256Hex, verifyIntegrity, type Integrity } from './integrity.js';
import { reporter, warnOnce, type LoadProgress, type ProgressCallback } from './progress.js';

/** Options for loading by URL; also accepted by `InferenceSession.create`. */
export interface FetchOptions {
  /** Called with progress events: `download` or `cache`, then (for sessions) `compile` and `ready`. */
  onProgress?: ProgressCallback;
  /** Cancels the load; the promise rejects with {@link AbortError}. */
  signal?: AbortSignal;
  /** Expected sha256 of the model: `sha256-<base64>` (as in SRI) or 64 hex digits. Also part of the cache key. */
  integrity?: string;
  /** Where downloads are cached (default `'auto'`); see {@link CacheOption}. */
  cache?: CacheOption;
  /**
   * Check a cached copy with the server (If-None-Match on its ETag) before using it.
   * Default false: a cached copy is used without any request, so loading works offline.
   */
  revalidate?: boolean;
}

interface Job {
  key: string;
  done: Promise<Uint8Array>;
  listeners: Set<ProgressCallback>;
  last?: LoadProgress;
  waiters: number;
  controller: AbortController;
}

const inflight = new Map<string, Job>();

/** The cache key: the URL, plus the expected digest when one is given. */
export function cacheKey(url: string, integrity?: Integrity): string {
  return integrity ? `${url}#sha256=${integrity.hex}` : url;
}

/** Resolves a relative URL against the page (browsers), so cache keys and external data bases are absolute. */
export function absoluteUrl(url: string): string {
  const loc = (globalThis as { location?: { href: string } }).location;
  return loc && !/^[a-z][a-z0-9+.-]*:/i.test(url) ? new URL(url, loc.href).href : url;
}

/** Loads `url` as a model (`kind: 'model'`) or external data file (`'data'`). */
export async function fetchFile(url: string, kind: FileKind, o: FetchOptions = {}): Promise<Uint8Array> {
  if (o.signal?.aborted) throw new AbortError(url, { cause: o.signal.reason });
  const integrity = o.integrity ? parseIntegrity(o.integrity) : undefined;
  const cacheable = /^https?:/i.test(url);
  const store = cacheable ? resolveCache(o.cache) : undefined;
  const key = cacheKey(url, integrity);
  const jobKey = `${kind} ${store?.label ?? 'nocache'} ${o.revalidate ? 'r' : ''} ${key}`;
  let job = inflight.get(jobKey);
  if (!job) {
    const controller = new AbortController();
    const listeners = new Set<ProgressCallback>();
    const j: Job = { key: jobKey, listeners, waiters: 0, controller, done: undefined! };
    const emit = (e: LoadProgress) => { j.last = e; for (const l of listeners) l(e); };
    j.done = load(url, kind, key, integrity, store, !!o.revalidate, controller.signal, emit);
    const forget = () => { if (inflight.get(jobKey) === j) inflight.delete(jobKey); };
    j.done.then(forget, forget);
    inflight.set(jobKey, (job = j));
  }
  return join(job, url, o);
}

/** Waits for a shared job; aborting one waiter only stops the download when no one else waits. */
async function join(job: Job, url: string, o: FetchOptions): Promise<Uint8Array> {
  const listener = reporter(o.onProgress);
  if (job.last) listener(job.last);
  job.listeners.add(listener);
  job.waiters++;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    job.waiters--;
    job.listeners.delete(listener);
  };
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      leave();
      if (job.waiters === 0) {
        // Nobody wants this download any more: stop it, and let later loads start afresh.
        job.controller.abort(o.signal?.reason);
        if (inflight.get(job.key) === job) inflight.delete(job.key);
      }
      reject(new AbortError(url, { cause: o.signal?.reason }));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([job.done, aborted]);
  } finally {
    leave();
    o.signal?.removeEventListener('abort', onAbort);
  }
}

async function load(url: string, kind: FileKind, key: string, integrity: Integrity | undefined, store: CacheStore | undefined,
  revalidate: boolean, signal: AbortSignal, emit: ProgressCallback): Promise<Uint8Array> {
  let hit = store ? await store.get(key) : undefined;
  if (hit && integrity && hit.meta.sha256 !== integrity.hex) {
    warnOnce(`mismatch:${key}`, `cached copy of "${url}" does not match its integrity; downloading it again`);
    hit = undefined;
  }
  const fromCache = (bytes: Uint8Array) => {
    emit({ phase: 'cache', loaded: bytes.length, total: bytes.length, url });
    return bytes;
  };
  // A cached copy made under this integrity was checked against it when stored and by its own digest now.
  if (hit && (!revalidate || !hit.meta.etag)) return fromCache(hit.bytes);
  let got;
  try {
    got = await download(url, { kind, signal, emit, ifNoneMatch: hit?.meta.etag });
  } catch (e) {
    if (!hit || e instanceof AbortError) throw e;
    // Revalidation failed (offline, server down): the cached copy is still good.
    warnOnce(`revalidate:${url}`, `cannot revalidate "${url}" (${(e as Error).message}); using the cached copy`);
    return fromCache(hit.bytes);
  }
  if (got.notModified) return fromCache(hit!.bytes);
  const sha256 = integrity ? await verifyIntegrity(got.bytes, integrity, url) : store ? await sha256Hex(got.bytes) : '';
  if (store) {
    await store.put(key, got.bytes, { url, sha256, size: got.bytes.length, etag: got.etag, storedAt: new Date().toISOString() });
  }
  return got.bytes;
}
