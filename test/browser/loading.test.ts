/**
 * Model loading in Chromium: progress events in order that add up; a reload served from the
 * persistent cache (IndexedDB by default) without a request; loading from the cache with the
 * server gone; a damaged cache entry detected and fetched again; an HTML 404 (and an HTML page
 * served as 200) rejected with a clear error and never cached; the Cache API store; features().
 * One local server serves the page, the engine and the models from memory and counts requests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Tensor } from '../../src/tensor.js';
import { sha256Hex } from '../../src/load/integrity.js';
import { browserSkipReason, launchChromium } from '../helpers/browser.js';
import { startModelServer, type ModelServer, type Route } from '../helpers/model-server.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { repoRoot } from '../helpers/shared.js';
import type { LoadOptions, LoadResult } from './pages/loading.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

/** y = x + w with w[i] = i: large enough (800 KB) for several download events. */
const N = 200_000;
function addModel(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [N]);
  const w = g.init('w', new Tensor('float32', Float32Array.from({ length: N }, (_, i) => i), [N]));
  g.node('Add', ['x', w], {}, ['y']);
  g.output('y', 'float32', [N]);
  return g.build();
}

const expectedY = Array.from({ length: 8 }, (_, i) => 1 + i);

async function pageRoutes(): Promise<Record<string, Route>> {
  const out = await build({
    absWorkingDir: repoRoot, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], logLevel: 'warning',
    entryPoints: { loading: 'test/browser/pages/loading.ts', 'host-entry': 'src/runtime/proxy/host-entry.ts' }, outdir: '/x/y', write: false,
  });
  const routes: Record<string, Route> = {
    '/x/y/index.html': { body: '<!doctype html><title>loading</title><script type="module" src="loading.js"></script>', contentType: 'text/html' },
  };
  for (const f of out.outputFiles) routes[f.path] = { body: f.contents, contentType: 'text/javascript' };
  // The bundle sits two folders deep, so it finds the engine at /engine/ (../../engine/ from it).
  for (const f of ['engine-simd.wasm', 'engine-relaxed.wasm']) {
    routes[`/engine/${f}`] = { body: readFileSync(join(repoRoot, 'dist/engine', f)), contentType: 'application/wasm' };
  }
  return routes;
}

describe('model loading (Chromium)', { skip, timeout: 120_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: ModelServer;
  const model = addModel();
  const load = (path: string, o: Partial<LoadOptions> = {}) =>
    page.evaluate(({ url, o }) => (window as unknown as { load: (u: string, o: LoadOptions) => Promise<LoadResult> }).load(url, o),
      { url: server.url(path), o: { n: N, ...o } });
  const call = <T>(name: string, arg?: string) =>
    page.evaluate(({ name, arg }) => (window as unknown as Record<string, (a?: string) => Promise<T>>)[name]!(arg), { name, arg });
  const ok = (r: LoadResult) => {
    assert.ok(r.ok, r.ok ? '' : `${r.name} ${r.code}: ${r.message}`);
    return r;
  };
  const open = async () => {
    await page.goto(server.url('/x/y/index.html'));
    await page.waitForFunction(() => document.title === 'ready');
  };

  before(async () => {
    server = await startModelServer({
      ...(await pageRoutes()),
      // Paced: the progress test counts chunks, which a busy machine would otherwise read as one.
      '/m.onnx': { body: model, paceMs: 10 },
      '/sri.onnx': { body: model },
      '/c.onnx': { body: model },
      '/page.onnx': { body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>please log in</body></html>', contentType: 'text/html' },
    });
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    await open();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reports download, compile and ready in order, with download progress that adds up', async () => {
    const r = ok(await load('/m.onnx'));
    assert.deepEqual(r.y, expectedY);
    assert.equal(r.backend, 'wasm');
    const phases = r.events.map((e) => e.phase).filter((p, i, a) => p !== a[i - 1]);
    assert.deepEqual(phases, ['download', 'compile', 'ready']);
    const dl = r.events.filter((e) => e.phase === 'download');
    assert.ok(dl.length >= 3, `${dl.length} download events`);
    assert.equal(dl[0]!.loaded, 0);
    for (let i = 1; i < dl.length; i++) assert.ok(dl[i]!.loaded > dl[i - 1]!.loaded, `event ${i} goes forward`);
    for (const e of dl) assert.equal(e.total, model.length);
    assert.equal(dl.at(-1)!.loaded, model.length, 'the last event counts every byte');
    assert.ok(r.events.every((e) => e.url === server.url('/m.onnx')));
    assert.equal(server.hits.get('/m.onnx'), 1);
    assert.ok((await call<string[]>('indexedDbKeys')).includes(server.url('/m.onnx')), 'stored in IndexedDB by default');
  });

  it('after a reload, loads from IndexedDB without a request', async () => {
    await page.reload();
    await page.waitForFunction(() => document.title === 'ready');
    const r = ok(await load('/m.onnx'));
    assert.deepEqual(r.y, expectedY);
    assert.deepEqual(r.events[0], { phase: 'cache', loaded: model.length, total: model.length, url: server.url('/m.onnx') });
    assert.deepEqual([...new Set(r.events.map((e) => e.phase))], ['cache', 'compile', 'ready']);
    assert.equal(server.hits.get('/m.onnx'), 1, 'the server saw one request for the model');
  });

  it('a damaged cache entry fails its check, is fetched again, and is good afterwards', async () => {
    const integrity = `sha256-${Buffer.from(await sha256Hex(model), 'hex').toString('base64')}`;
    // In the page (proxy off) so the warning is seen here.
    ok(await load('/sri.onnx', { integrity, proxy: false }));
    assert.equal(server.hits.get('/sri.onnx'), 1);
    assert.equal(await call<number>('corruptIndexedDb', '/sri.onnx'), 1);
    const r = ok(await load('/sri.onnx', { integrity, proxy: false }));
    assert.deepEqual(r.y, expectedY);
    assert.equal(r.events[0]!.phase, 'download');
    assert.equal(server.hits.get('/sri.onnx'), 2, 'downloaded again');
    assert.ok(r.warnings.some((w) => /corrupt \(sha256 mismatch\); downloading it again/.test(w)), r.warnings.join('\n'));
    const again = ok(await load('/sri.onnx', { integrity, proxy: false }));
    assert.equal(again.events[0]!.phase, 'cache');
    assert.equal(server.hits.get('/sri.onnx'), 2);
  });

  it('an HTML 404 and an HTML page served as a model give clear errors and are never cached', async () => {
    const missing = await load('/missing.onnx');
    assert.ok(!missing.ok);
    assert.equal(missing.code, 'ERR_FETCH');
    assert.equal(missing.name, 'ModelFetchError');
    assert.ok(missing.message.includes(server.url('/missing.onnx')), missing.message);
    assert.match(missing.message, /HTTP 404.*an HTML page .*"404 Not Found"/);
    const html = await load('/page.onnx');
    assert.ok(!html.ok);
    assert.equal(html.code, 'ERR_NOT_A_MODEL');
    assert.match(html.message, /is not an ONNX model: the server sent an HTML page .*"Sign in"/);
    const keys = await call<string[]>('indexedDbKeys');
    assert.ok(!keys.some((k) => k.includes('missing') || k.includes('page.onnx')), keys.join(', '));
  });

  it('the Cache API store: stores, hits, and recovers from a damaged entry', async () => {
    ok(await load('/c.onnx', { cache: 'cache-api' }));
    assert.deepEqual(await call<string[]>('cacheApiKeys'), [server.url('/c.onnx')]);
    const hit = ok(await load('/c.onnx', { cache: 'cache-api' }));
    assert.equal(hit.events[0]!.phase, 'cache');
    assert.equal(server.hits.get('/c.onnx'), 1);
    assert.equal(await call<number>('corruptCacheApi'), 1);
    const r = ok(await load('/c.onnx', { cache: 'cache-api', proxy: false }));
    assert.deepEqual(r.y, expectedY);
    assert.equal(server.hits.get('/c.onnx'), 2);
    assert.ok(r.warnings.some((w) => /cache-api is corrupt/.test(w)), r.warnings.join('\n'));
  });

  it('features() reports what this Chromium has', async () => {
    const f = await call<Record<string, unknown>>('features');
    const truth = await page.evaluate(() => ({ gpu: 'gpu' in navigator, ml: 'ml' in navigator, cores: navigator.hardwareConcurrency }));
    assert.equal(f.webassembly, true);
    assert.equal(f.simd, true);
    assert.equal(f.relaxedSimd, true, 'Chromium ships relaxed SIMD');
    assert.equal(f.exceptions, true);
    assert.equal(f.crossOriginIsolated, false, 'this server sends no COOP/COEP');
    assert.equal(f.threads, false, 'no SharedArrayBuffer without cross-origin isolation');
    assert.equal(typeof f.memory64, 'boolean');
    assert.equal(f.webgpu, truth.gpu);
    assert.equal(f.webnn, truth.ml);
    assert.equal(f.hardwareConcurrency, truth.cores);
    console.log(`# Chromium features: ${JSON.stringify(f)}`);
  });

  it('with the server stopped, loads from the cache', async () => {
    await server.close();
    // In the page: a proxy worker started now would need its script from the (gone) server,
    // an app asset that offline apps serve from their own service worker or HTTP cache.
    const r = ok(await load('/m.onnx', { proxy: false }));
    assert.deepEqual(r.y, expectedY);
    assert.equal(r.events[0]!.phase, 'cache');
    const c = ok(await load('/c.onnx', { cache: 'cache-api', proxy: false }));
    assert.equal(c.events[0]!.phase, 'cache');
  });
});
