/** Loading models by URL: progress events, clear errors for what is not a model, abort, integrity, external data. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AbortError, InferenceSession, IntegrityError, ModelFetchError, Tensor, type LoadProgress } from '../../src/index.js';
import { sha256Js, parseIntegrity } from '../../src/load/integrity.js';
import { notAModelReason } from '../../src/load/response-check.js';
import { GraphBuilder, PbWriter } from '../helpers/onnx-builder.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';

/** y = x + w with a 256 KiB initializer, so the body arrives in several chunks. */
function addModel(n = 65536): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [n]);
  const w = g.init('w', new Tensor('float32', Float32Array.from({ length: n }, (_, i) => i % 7), [n]));
  g.node('Add', ['x', w], {}, ['y']);
  g.output('y', 'float32', [n]);
  return g.build();
}

const model = addModel();
const sri = (b: Uint8Array) => `sha256-${createHash('sha256').update(b).digest('base64')}`;
let server: ModelServer;

before(async () => {
  server = await startModelServer({
    '/model.onnx': { body: model },
    '/chunked.onnx': { body: model, length: false },
    '/truncated.onnx': { body: model, truncateAt: 100_000 },
    '/spa.onnx': { body: '<!doctype html><html><head><title>My App</title></head><body></body></html>', contentType: 'text/html' },
    '/garbage.onnx': { body: new Uint8Array(1000).fill(0xff) },
    '/error.onnx': { body: 'internal error: disk on fire', status: 500, contentType: 'text/plain' },
    '/stall.onnx': { body: model, stallAt: 1000 },
  });
});
after(() => server.close());

function collect(): { events: LoadProgress[]; onProgress: (e: LoadProgress) => void } {
  const events: LoadProgress[] = [];
  return { events, onProgress: (e) => events.push(e) };
}

function checkDownload(events: LoadProgress[], url: string, total: number | undefined): void {
  const dl = events.filter((e) => e.phase === 'download');
  assert.ok(dl.length >= 3, `several download events, got ${dl.length}`);
  assert.equal(dl[0]!.loaded, 0);
  for (let i = 1; i < dl.length; i++) assert.ok(dl[i]!.loaded > dl[i - 1]!.loaded, 'loaded increases');
  assert.equal(dl.at(-1)!.loaded, model.length);
  for (const e of dl) { assert.equal(e.total, total); assert.equal(e.url, url); }
  // Phases in order: download…, compile, compile, ready.
  const phases = events.map((e) => e.phase).filter((p, i, a) => p !== a[i - 1]);
  assert.deepEqual(phases, ['download', 'compile', 'ready']);
  assert.equal(events.at(-1)!.loaded, model.length);
}

describe('loading by URL', { timeout: 20_000 }, () => {
  it('streams with progress events that add up to Content-Length', async () => {
    const { events, onProgress } = collect();
    const s = await InferenceSession.create(server.url('/model.onnx'), { onProgress, cache: false, executionProviders: ['js'] });
    checkDownload(events, server.url('/model.onnx'), model.length);
    const out = await s.run({ x: new Tensor('float32', new Float32Array(65536).fill(1), [65536]) });
    assert.equal((out.y!.data as Float32Array)[3], 4);
  });

  it('reports total undefined without Content-Length', async () => {
    const { events, onProgress } = collect();
    await InferenceSession.create(new URL(server.url('/chunked.onnx')), { onProgress, cache: false, executionProviders: ['js'] });
    checkDownload(events, server.url('/chunked.onnx'), undefined);
  });

  it('names the URL and the HTML page for a 404', async () => {
    const url = server.url('/nope.onnx');
    const err = await InferenceSession.create(url, { cache: false }).catch((e) => e);
    assert.ok(err instanceof ModelFetchError);
    assert.equal(err.code, 'ERR_FETCH');
    assert.equal(err.status, 404);
    assert.match(err.message, /nope\.onnx.*HTTP 404.*HTML page.*"404 Not Found"/);
  });

  it('names what arrived for a 500, an HTML page served as 200, and bytes that are not a model', async () => {
    await assert.rejects(InferenceSession.create(server.url('/error.onnx'), { cache: false }),
      (e: ModelFetchError) => e.code === 'ERR_FETCH' && /HTTP 500.*text\/plain/.test(e.message));
    await assert.rejects(InferenceSession.create(server.url('/spa.onnx'), { cache: false }),
      (e: ModelFetchError) => e.code === 'ERR_NOT_A_MODEL' && /spa\.onnx" is not an ONNX model.*HTML page.*"My App"/.test(e.message));
    await assert.rejects(InferenceSession.create(server.url('/garbage.onnx'), { cache: false }),
      (e: ModelFetchError) => e.code === 'ERR_NOT_A_MODEL' && /not an ONNX model.*1000 bytes.*starting ff ff/.test(e.message));
  });

  it('rejects a body shorter than its Content-Length', async () => {
    await assert.rejects(InferenceSession.create(server.url('/truncated.onnx'), { cache: false }),
      (e: ModelFetchError) => e.code === 'ERR_TRUNCATED' && e.message.includes('truncated.onnx') && /100000 of \d+ bytes/.test(e.message));
  });

  it('spots truncation at a field boundary by the ModelProto shape', () => {
    assert.equal(notAModelReason(model), undefined);
    assert.match(notAModelReason(model.subarray(0, 5000))!, /ends inside field 7 \(the graph\)/);
    assert.match(notAModelReason(new TextEncoder().encode('<html>'))!, /not a ModelProto field/);
  });

  it('aborts with a typed error, before and during the download', async () => {
    await assert.rejects(InferenceSession.create(server.url('/model.onnx'), { signal: AbortSignal.abort(), cache: false }), AbortError);
    const ac = new AbortController();
    const p = InferenceSession.create(server.url('/stall.onnx'), { signal: ac.signal, cache: false, onProgress: (e) => { if (e.phase === 'download') setTimeout(() => ac.abort(), 30); } });
    const err = await p.catch((e) => e);
    assert.ok(err instanceof AbortError, String(err));
    assert.equal(err.name, 'AbortError');
    assert.equal(err.code, 'ERR_ABORTED');
  });

  it('checks sha256 integrity (SRI base64 or hex)', async () => {
    const hex = createHash('sha256').update(model).digest('hex');
    await InferenceSession.create(server.url('/model.onnx'), { integrity: sri(model), cache: false, executionProviders: ['js'] });
    await InferenceSession.create(server.url('/model.onnx'), { integrity: hex, cache: false, executionProviders: ['js'] });
    const wrong = sri(new Uint8Array([1, 2, 3]));
    const err = await InferenceSession.create(server.url('/model.onnx'), { integrity: wrong, cache: false }).catch((e) => e);
    assert.ok(err instanceof IntegrityError);
    assert.equal(err.actual, hex);
    assert.match(err.message, /model\.onnx" failed its integrity check/);
    assert.throws(() => parseIntegrity('md5-abc'), /not understood/);
  });

  it('has a JavaScript sha256 that agrees with node:crypto', () => {
    for (const n of [0, 3, 55, 56, 64, 1000]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 255);
      assert.equal(Buffer.from(sha256Js(b)).toString('hex'), createHash('sha256').update(b).digest('hex'), `length ${n}`);
    }
  });

  it('fetches external data beside a model URL with progress', async () => {
    const weights = new Float32Array([0.5, 1.5, 2.5]);
    const bin = new Uint8Array(16 + weights.byteLength);
    bin.set(new Uint8Array(weights.buffer), 16);
    const ext = new PbWriter().int(1, 3).int(2, 1).str(8, 'w')
      .msg(13, new PbWriter().str(1, 'location').str(2, 'weights.bin'))
      .msg(13, new PbWriter().str(1, 'offset').str(2, '16'))
      .int(14, 1);
    const x = new PbWriter().str(1, 'x').msg(2, new PbWriter().msg(1, new PbWriter().int(1, 1)));
    const node = new PbWriter().str(1, 'x').str(1, 'w').str(2, 'y').str(4, 'Mul');
    const graph = new PbWriter().msg(1, node).str(2, 'g').msg(5, ext).msg(11, x).msg(12, new PbWriter().str(1, 'y'));
    const m = new PbWriter().int(1, 8).msg(7, graph).msg(8, new PbWriter().str(1, '').int(2, 17)).finish();
    server.route('/ext/m.onnx', { body: m });
    server.route('/ext/weights.bin', { body: bin });
    const { events, onProgress } = collect();
    const s = await InferenceSession.create(server.url('/ext/m.onnx'), { onProgress, cache: false, executionProviders: ['js'] });
    const y = (await s.run({ x: new Tensor('float32', new Float32Array([2, 2, 2]), [3]) })).y!;
    assert.deepEqual(Array.from(y.data as Float32Array), [1, 3, 5]);
    const binEvents = events.filter((e) => e.url === server.url('/ext/weights.bin'));
    assert.deepEqual(binEvents.at(-1), { phase: 'download', loaded: bin.length, total: bin.length, url: server.url('/ext/weights.bin') });
  });
});
