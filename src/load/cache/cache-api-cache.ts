/** A cache in the Cache API (`caches`, browsers and service workers). Keys map to synthetic URLs; no request is ever made to them. */
import type { CacheLike } from './types.js';

const NAME = 'wasmnn-v1';

function requestFor(key: string): string {
  return `https://wasmnn-cache.invalid/${encodeURIComponent(key)}`;
}

export class CacheApiCache implements CacheLike {
  static available(): boolean {
    return typeof caches !== 'undefined';
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const res = await (await caches.open(NAME)).match(requestFor(key));
    return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const body = bytes as Uint8Array<ArrayBuffer>;
    await (await caches.open(NAME)).put(requestFor(key), new Response(body, { headers: { 'content-type': 'application/octet-stream' } }));
  }

  async delete(key: string): Promise<void> {
    await (await caches.open(NAME)).delete(requestFor(key));
  }
}
