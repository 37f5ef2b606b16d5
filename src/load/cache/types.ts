/**
 * A key-value byte store for downloaded models. wasmnn stores an opaque,
 * self-checking record under each key (metadata + digest + payload), so any
 * store that gives back the bytes it was given works.
 */
export interface CacheLike {
  /** The bytes stored under `key`, or undefined/null when absent. */
  get(key: string): Promise<Uint8Array | ArrayBuffer | undefined | null> | Uint8Array | ArrayBuffer | undefined | null;
  /** Stores `bytes` under `key`, replacing any previous entry. */
  put(key: string, bytes: Uint8Array): Promise<void> | void;
  /** Removes an entry (optional; used to drop corrupt entries). */
  delete?(key: string): Promise<unknown> | unknown;
}

/**
 * Where downloaded models are cached:
 * - `'auto'` (default): a directory in Node (see `{ dir }`), IndexedDB in browsers (the Cache API where IndexedDB is missing);
 * - `false`: never cache;
 * - `'indexeddb'` / `'cache-api'`: that browser store;
 * - `{ dir }`: this directory (Node);
 * - any {@link CacheLike} object.
 *
 * In Node the default directory is `$WASMNN_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmnn`,
 * `~/Library/Caches/wasmnn` (macOS), `%LOCALAPPDATA%\wasmnn\cache` (Windows) or `~/.cache/wasmnn`.
 * Only http(s) URLs are cached; files and bytes never are.
 */
export type CacheOption = 'auto' | false | 'indexeddb' | 'cache-api' | { dir: string } | CacheLike;

/** What is stored beside each cached payload. */
export interface EntryMeta {
  url: string;
  /** sha256 of the payload, hex: checked on every read, so a corrupt entry is never used. */
  sha256: string;
  size: number;
  etag?: string;
  storedAt: string;
}
