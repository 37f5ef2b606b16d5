/** The persistent model cache: directory cache hit/miss/corruption, deduplicated downloads, ETag revalidation, user caches, failures that degrade. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AbortError, InferenceSession, ModelFetchError, Tensor, type CacheLike, type LoadProgress } from '../../src/index.js';
import { defaultCacheDir } from '../../src/load/cache/dir-cache.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';

function addModel(n: number): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [n]);
  const w = g.init('w', new Tensor('float32', Float32Array.from({ length: n }, (_, i) => i), [n]));
  g.node('Add', ['x', w], {}, ['y']);
  g.output('y', 'float32', [n]);
  return g.build();
}

const model = addModel(4096);
const js = { executionProviders: ['js'] } as const;
let server: ModelServer;
const freshDir = () => ({ dir: mkdtempSync(join(tmpdir(), 'wasmnn-cache-')) });
const phases = (ev: LoadProgress[]) => [...new Set(ev.map((e) => e.phase))];

async function check(s: InferenceSession): Promise<void> {
  const y = (await s.run({ x: new Tensor('float32', new Float32Array(4096).fill(1), [4096]) })).y!;
  assert.equal((y.data as Float32Array)[10], 11);
}

before(async () => {
  server = await startModelServer({
    '/m.onnx': { body: model, etag: '"v1"' },
    '/plain.onnx': { body: model },
    '/nolen.onnx': { body: model, length: false },
    '/trunc.onnx': { body: model, truncateAt: 5000 },
    '/stall.onnx': { body: model, stallAt: 100 },
  });
});
after(() => server.close());

describe('model cache', { timeout: 20_000 }, () => {
  it('serves the second load from a directory cache without a request, even with the server gone', async () => {
    const cache = freshDir();
    const other = await startModelServer({ '/a.onnx': { body: model } });
    const url = other.url('/a.onnx');
    const ev1: LoadProgress[] = [];
    await check(await InferenceSession.create(url, { cache, onProgress: (e) => ev1.push(e), ...js }));
    assert.deepEqual(phases(ev1), ['download', 'compile', 'ready']);
    assert.equal(readdirSync(cache.dir).length, 1, 'one entry, no temp files left');
    const ev2: LoadProgress[] = [];
    await check(await InferenceSession.create(url, { cache, onProgress: (e) => ev2.push(e), ...js }));
    assert.deepEqual(ev2[0], { phase: 'cache', loaded: model.length, total: model.length, url });
    assert.equal(other.hits.get('/a.onnx'), 1);
    await other.close();
    await check(await InferenceSession.create(url, { cache, ...js }));
  });

  it('misses on a different integrity, and never caches what failed its checks', async () => {
    const cache = freshDir();
    const url = server.url('/plain.onnx');
    const before = server.hits.get('/plain.onnx') ?? 0;
    await InferenceSession.create(url, { cache, ...js });
    const integrity = `sha256-${createHash('sha256').update(model).digest('base64')}`;
    await InferenceSession.create(url, { cache, integrity, ...js });
    await InferenceSession.create(url, { cache, integrity, ...js });
    assert.equal(server.hits.get('/plain.onnx')! - before, 2, 'a keyed-by-integrity entry is separate');
    await assert.rejects(InferenceSession.create(url, { cache, integrity: 'a'.repeat(64) }), /integrity/);
    await assert.rejects(InferenceSession.create(server.url('/trunc.onnx'), { cache }), ModelFetchError);
    await assert.rejects(InferenceSession.create(server.url('/missing.onnx'), { cache }), /HTTP 404/);
    assert.equal(readdirSync(cache.dir).length, 2);
  });

  it('refetches a corrupt entry with one warning', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const cache = freshDir();
    const url = server.url('/nolen.onnx');
    const before = server.hits.get('/nolen.onnx') ?? 0;
    await InferenceSession.create(url, { cache, ...js });
    const file = join(cache.dir, readdirSync(cache.dir)[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(file, bytes);
    await check(await InferenceSession.create(url, { cache, ...js }));
    assert.equal(server.hits.get('/nolen.onnx')! - before, 2);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]!.arguments[0]), /corrupt \(sha256 mismatch\); downloading it again/);
    // The fresh download replaced the entry.
    await check(await InferenceSession.create(url, { cache, ...js }));
    assert.equal(server.hits.get('/nolen.onnx')! - before, 2);
  });

  it('shares one download between concurrent loads', async () => {
    for (const cache of [freshDir(), false as const]) {
      const url = server.url('/nolen.onnx');
      const before = server.hits.get('/nolen.onnx') ?? 0;
      const ev: LoadProgress[][] = [[], []];
      const [a, b] = await Promise.all(ev.map((e) => InferenceSession.create(url, { cache, onProgress: (p) => e.push(p), ...js })));
      await check(a!);
      await check(b!);
      assert.equal(server.hits.get('/nolen.onnx')! - before, 1, `cache ${JSON.stringify(cache)}`);
      for (const e of ev) assert.equal(e.at(-1)!.phase, 'ready');
    }
  });

  it('aborting one of two loads leaves the other running; aborting both stops the download', async () => {
    const url = server.url('/stall.onnx');
    const a = new AbortController();
    const b = new AbortController();
    const pa = InferenceSession.create(url, { cache: false, signal: a.signal });
    const pb = InferenceSession.create(url, { cache: false, signal: b.signal });
    setTimeout(() => a.abort(), 50);
    await assert.rejects(pa, AbortError);
    let settled = false;
    pb.finally(() => { settled = true; }).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'the second load still waits');
    b.abort();
    await assert.rejects(pb, AbortError);
    assert.equal(server.hits.get('/stall.onnx'), 1);
  });

  it('revalidates with If-None-Match when asked, and works offline otherwise', async () => {
    const cache = freshDir();
    const url = server.url('/m.onnx');
    await InferenceSession.create(url, { cache, ...js });
    const before = server.hits.get('/m.onnx')!;
    const ev: LoadProgress[] = [];
    await check(await InferenceSession.create(url, { cache, revalidate: true, onProgress: (e) => ev.push(e), ...js }));
    assert.equal(server.hits.get('/m.onnx')! - before, 1, 'one conditional request');
    assert.equal(ev[0]!.phase, 'cache', '304 → cached copy');
    // A changed ETag brings the new file.
    const model2 = addModel(8);
    server.route('/m.onnx', { body: model2, etag: '"v2"' });
    const s2 = await InferenceSession.create(url, { cache, revalidate: true, ...js });
    assert.deepEqual(s2.inputMetadata[0]!.shape, [8]);
    const s3 = await InferenceSession.create(url, { cache, ...js });
    assert.deepEqual(s3.inputMetadata[0]!.shape, [8]);
  });

  it('uses a user-supplied cache object, and degrades to the network when it fails', async (t) => {
    const map = new Map<string, Uint8Array>();
    const mine: CacheLike = { get: (k) => map.get(k), put: (k, b) => { map.set(k, b.slice()); } };
    const url = server.url('/plain.onnx');
    const before = server.hits.get('/plain.onnx') ?? 0;
    await InferenceSession.create(url, { cache: mine, ...js });
    await check(await InferenceSession.create(url, { cache: mine, ...js }));
    assert.equal(map.size, 1);
    assert.equal(server.hits.get('/plain.onnx')! - before, 1);

    const warn = t.mock.method(console, 'warn', () => {});
    const quota = Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' });
    const broken: CacheLike = { get: async () => { throw new Error('private browsing'); }, put: async () => { throw quota; } };
    await check(await InferenceSession.create(url, { cache: broken, ...js }));
    await check(await InferenceSession.create(url, { cache: broken, ...js }));
    assert.equal(warn.mock.callCount(), 2, 'one warning for reads, one for writes');
    assert.match(String(warn.mock.calls[1]!.arguments[0]), /cannot store.*quota exceeded/);
    await assert.rejects(InferenceSession.create(url, { cache: 42 as never }), /cache option 42 is not understood/);
  });

  it('defaults to $WASMNN_CACHE_DIR, then the OS cache folder', async () => {
    const saved = process.env.WASMNN_CACHE_DIR;
    try {
      process.env.WASMNN_CACHE_DIR = '/tmp/x-wasmnn';
      assert.equal(await defaultCacheDir(), '/tmp/x-wasmnn');
      delete process.env.WASMNN_CACHE_DIR;
      assert.match(await defaultCacheDir(), /wasmnn/);
    } finally {
      if (saved === undefined) delete process.env.WASMNN_CACHE_DIR;
      else process.env.WASMNN_CACHE_DIR = saved;
    }
  });
});
