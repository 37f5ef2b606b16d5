/** A cache in IndexedDB (browsers, workers). Failures (private browsing, quota) reject and the loader falls back to the network. */
import type { CacheLike } from './types.js';

const DB = 'wasmnn';
const STORE = 'files';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

export class IndexedDbCache implements CacheLike {
  private db: Promise<IDBDatabase> | undefined;

  static available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('cannot open IndexedDB'));
      r.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    this.db.catch(() => { this.db = undefined; });
    return this.db;
  }

  private async store(mode: IDBTransactionMode): Promise<{ store: IDBObjectStore; done: Promise<void> }> {
    const tx = (await this.open()).transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted (quota?)'));
    });
    return { store: tx.objectStore(STORE), done };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { store } = await this.store('readonly');
    const v = await request(store.get(key)) as ArrayBuffer | Uint8Array | undefined;
    return v === undefined ? undefined : v instanceof Uint8Array ? v : new Uint8Array(v);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const { store, done } = await this.store('readwrite');
    store.put(bytes, key);
    await done;
  }

  async delete(key: string): Promise<void> {
    const { store, done } = await this.store('readwrite');
    store.delete(key);
    await done;
  }
}
