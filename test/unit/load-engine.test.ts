/** Engine delivery: env.wasm.wasmPaths, compileStreaming for application/wasm, buffer fallback otherwise. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { env } from '../../src/index.js';
import { compileFrom, engineUrls } from '../../src/backends/wasm/engine-loader.js';
import { startModelServer, type ModelServer } from '../helpers/model-server.js';

const simd = readFileSync(fileURLToPath(new URL('../../dist/engine/engine-simd.wasm', import.meta.url)));
let server: ModelServer;

before(async () => {
  server = await startModelServer({
    '/wasm/engine-simd.wasm': { body: simd, contentType: 'application/wasm' },
    '/octet/engine-simd.wasm': { body: simd, contentType: 'application/octet-stream' },
  });
});
after(() => server.close());

describe('engine delivery', { timeout: 20_000 }, () => {
  it('finds the engine beside the module by default, or where env.wasm.wasmPaths says', async () => {
    const saved = env.wasm.wasmPaths;
    try {
      env.wasm.wasmPaths = undefined;
      const [beside] = await engineUrls('engine-simd.wasm');
      assert.match(beside!.href, /\/engine\/engine-simd\.wasm$/);
      env.wasm.wasmPaths = server.url('/wasm');
      assert.deepEqual((await engineUrls('engine-simd.wasm')).map(String), [server.url('/wasm/engine-simd.wasm')]);
      env.wasm.wasmPaths = { 'engine-simd.wasm': server.url('/octet/engine-simd.wasm') };
      assert.deepEqual((await engineUrls('engine-simd.wasm')).map(String), [server.url('/octet/engine-simd.wasm')]);
      await assert.rejects(engineUrls('engine-relaxed.wasm'), /wasmPaths has no entry for "engine-relaxed\.wasm"/);
      env.wasm.wasmPaths = 'vendor/';
      assert.equal(String((await engineUrls('engine-simd.wasm'))[0]), new URL(`file://${process.cwd()}/vendor/engine-simd.wasm`).href);
    } finally {
      env.wasm.wasmPaths = saved;
    }
  });

  it('compiles while streaming when served as application/wasm, from a buffer otherwise', async () => {
    const streamed = await compileFrom(new URL(server.url('/wasm/engine-simd.wasm')));
    assert.equal(streamed.method, 'streaming');
    const buffered = await compileFrom(new URL(server.url('/octet/engine-simd.wasm')));
    assert.equal(buffered.method, 'buffer');
    for (const m of [streamed.module, buffered.module]) {
      assert.ok(WebAssembly.Module.exports(m).some((e) => e.name === 'gemm_f32'));
    }
    await assert.rejects(compileFrom(new URL(server.url('/missing.wasm'))), /HTTP 404/);
  });
});
