/**
 * Test page for model loading: creates a session from a URL with the given options, records
 * the progress events, runs the model once, and reports what happened (or the error). Also
 * lets the test damage a cached entry in IndexedDB or the Cache API, and read features().
 */
import { env, features, InferenceSession, Tensor, type LoadProgress } from '../../../src/index.js';

export interface LoadOptions {
  cache?: 'auto' | 'indexeddb' | 'cache-api' | false;
  integrity?: string;
  proxy?: boolean;
  /** Length of the model's input `x` (an Add model: y = x + w). */
  n: number;
}

export type LoadResult =
  | { ok: true; events: LoadProgress[]; y: number[]; backend: string; reason: string; warnings: string[] }
  | { ok: false; name: string; code?: string; message: string; events: LoadProgress[] };

const warnings: string[] = [];
const warn = console.warn.bind(console);
console.warn = (...a: unknown[]) => { warnings.push(a.map(String).join(' ')); warn(...a); };

async function load(url: string, o: LoadOptions): Promise<LoadResult> {
  const events: LoadProgress[] = [];
  warnings.length = 0;
  try {
    const s = await InferenceSession.create(url, {
      cache: o.cache, integrity: o.integrity, proxy: o.proxy, onProgress: (e) => events.push({ ...e }),
    });
    const x = new Tensor('float32', new Float32Array(o.n).fill(1), [o.n]);
    const y = (await s.run({ x })).y!.data as Float32Array;
    const r = { ok: true as const, events, y: Array.from(y.subarray(0, 8)), backend: s.backend, reason: s.backendReason, warnings: [...warnings] };
    await s.release();
    return r;
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, name: err.name, code: err.code, message: err.message, events };
  }
}

/** Flips a byte near the end of every record (inside the model payload, past the metadata). */
function damage(record: Uint8Array): Uint8Array {
  const out = record.slice();
  out[out.length - 3] = out[out.length - 3]! ^ 0xff;
  return out;
}

function idb<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

/** Damages the entries of wasmnn's IndexedDB store whose key contains `part`; resolves to how many. */
async function corruptIndexedDb(part: string): Promise<number> {
  const db = await idb(indexedDB.open('wasmnn', 1));
  const store = () => db.transaction('files', 'readwrite').objectStore('files');
  const keys = (await idb(store().getAllKeys())).filter((k) => String(k).includes(part));
  for (const k of keys) {
    const v = await idb(store().get(k)) as Uint8Array;
    await idb(store().put(damage(new Uint8Array(v)), k));
  }
  db.close();
  return keys.length;
}

/** Damages every entry of wasmnn's Cache API cache; resolves to how many there were. */
async function corruptCacheApi(): Promise<number> {
  const c = await caches.open('wasmnn-v1');
  const reqs = await c.keys();
  for (const r of reqs) {
    const bytes = new Uint8Array(await (await c.match(r))!.arrayBuffer());
    await c.put(r, new Response(damage(bytes) as Uint8Array<ArrayBuffer>));
  }
  return reqs.length;
}

async function cacheApiKeys(): Promise<string[]> {
  if (!(await caches.has('wasmnn-v1'))) return [];
  return (await (await caches.open('wasmnn-v1')).keys()).map((r) => decodeURIComponent(new URL(r.url).pathname.slice(1)));
}

async function indexedDbKeys(): Promise<string[]> {
  // Opening a missing database would create it without wasmnn's object store.
  if (!(await indexedDB.databases()).some((d) => d.name === 'wasmnn')) return [];
  const db = await idb(indexedDB.open('wasmnn', 1));
  if (!db.objectStoreNames.contains('files')) { db.close(); return []; }
  const keys = await idb(db.transaction('files', 'readonly').objectStore('files').getAllKeys());
  db.close();
  return keys.map(String);
}

Object.assign(window, { load, corruptIndexedDb, corruptCacheApi, cacheApiKeys, indexedDbKeys, features: () => ({ ...features() }), env });
document.title = 'ready';
