/**
 * The loader's view of a cache: self-checking records on top of any
 * {@link CacheLike}, where every failure (quota, private browsing, a corrupt
 * entry, a broken user store) becomes a warning and a miss, never a failed load.
 */
import { WasmnnError } from '../../errors.js';
import { warnOnce } from '../progress.js';
import { CacheApiCache } from './cache-api-cache.js';
import { DirCache, defaultCacheDir } from './dir-cache.js';
import { decodeEntry, encodeEntry } from './envelope.js';
import { IndexedDbCache } from './indexeddb-cache.js';
import type { CacheLike, CacheOption, EntryMeta } from './types.js';

export class CacheStore {
  /** Warnings already given by this store: one per kind of failure (and per corrupt key). */
  private readonly warned = new Set<string>();
  constructor(readonly backend: CacheLike, readonly label: string) {}

  private warn(kind: string, message: string): void {
    warnOnce(kind, message, this.warned);
  }

  /** The entry under `key`, or undefined when absent or unusable (with one warning). */
  async get(key: string): Promise<{ bytes: Uint8Array; meta: EntryMeta } | undefined> {
    let record: Uint8Array | ArrayBuffer | undefined | null;
    try {
      record = await this.backend.get(key);
    } catch (e) {
      this.warn('get', `model cache (${this.label}) cannot be read (${(e as Error)?.message ?? e}); downloading instead`);
      return undefined;
    }
    if (!record) return undefined;
    const entry = await decodeEntry(record instanceof Uint8Array ? record : new Uint8Array(record));
    if ('corrupt' in entry) {
      this.warn(`corrupt:${key}`, `cached copy of "${key}" in ${this.label} is corrupt (${entry.corrupt}); downloading it again`);
      try {
        await this.backend.delete?.(key);
      } catch { /* replaced by the next put anyway */ }
      return undefined;
    }
    return { bytes: entry.payload, meta: entry.meta };
  }

  /** Stores an entry; failures (quota…) are a warning. */
  async put(key: string, bytes: Uint8Array, meta: EntryMeta): Promise<void> {
    try {
      await this.backend.put(key, encodeEntry(bytes, meta));
    } catch (e) {
      this.warn('put', `model cache (${this.label}) cannot store "${meta.url}" (${(e as Error)?.message ?? e}); it will be downloaded again next time`);
    }
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const shared = new Map<string, CacheStore>();
const custom = new WeakMap<CacheLike, CacheStore>();

function named(label: string, make: () => CacheLike): CacheStore {
  let s = shared.get(label);
  if (!s) shared.set(label, (s = new CacheStore(make(), label)));
  return s;
}

/** Turns the `cache` option into a store, or undefined for "no cache". Unavailable stores warn and disable caching. */
export function resolveCache(option: CacheOption | undefined): CacheStore | undefined {
  const o = option ?? 'auto';
  if (o === false) return undefined;
  if (o === 'auto') {
    if (isNode) return named('auto:dir', () => new DirCache(defaultCacheDir()));
    if (IndexedDbCache.available()) return named('indexeddb', () => new IndexedDbCache());
    if (CacheApiCache.available()) return named('cache-api', () => new CacheApiCache());
    return undefined;
  }
  if (o === 'indexeddb' || o === 'cache-api') {
    const ok = o === 'indexeddb' ? IndexedDbCache.available() : CacheApiCache.available();
    if (!ok) {
      warnOnce(`missing:${o}`, `cache "${o}" is not available here; models are not cached`);
      return undefined;
    }
    return named(o, () => (o === 'indexeddb' ? new IndexedDbCache() : new CacheApiCache()));
  }
  if (typeof o === 'object' && 'dir' in o && typeof o.dir === 'string') {
    if (!isNode) throw new WasmnnError('ERR_CACHE_OPTION', 'cache { dir } needs Node; use "indexeddb" or "cache-api" in browsers');
    return named(`dir:${o.dir}`, () => new DirCache(o.dir));
  }
  if (typeof o === 'object' && typeof (o as CacheLike).get === 'function' && typeof (o as CacheLike).put === 'function') {
    let s = custom.get(o as CacheLike);
    if (!s) custom.set(o as CacheLike, (s = new CacheStore(o as CacheLike, 'custom cache')));
    return s;
  }
  throw new WasmnnError('ERR_CACHE_OPTION', `cache option ${JSON.stringify(o)} is not understood; use 'auto', false, 'indexeddb', 'cache-api', { dir } or an object with get/put`);
}
