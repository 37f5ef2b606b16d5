/**
 * Backend fallback: when an engine fails to initialise (here: env.wasm.wasmPaths points nowhere
 * for it), the session falls back to the next engine flavor, then to the JavaScript backend, and
 * `backendReason` says what failed. The relaxed → SIMD128 step runs in a child Node with relaxed SIMD on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { env, InferenceSession, Tensor } from '../../src/index.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { repoRoot } from '../helpers/shared.js';

function addModel(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [4]);
  g.init('w', new Tensor('float32', Float32Array.of(1, 2, 3, 4), [4]));
  g.node('Add', ['x', 'w'], {}, ['y']);
  g.output('y', 'float32', [4]);
  return g.build();
}

describe('backend fallback', () => {
  afterEach(() => { delete env.wasm.wasmPaths; });

  it('falls back to js when no wasm engine initialises, and says why', async () => {
    env.wasm.wasmPaths = {};
    const s = await InferenceSession.create(addModel());
    assert.equal(s.backend, 'js');
    assert.match(s.backendReason, /^best available: JavaScript reference kernels \(skipped: wasm SIMD128 engine failed: .*env\.wasm\.wasmPaths has no entry for "engine-simd\.wasm"/);
    const y = (await s.run({ x: new Tensor('float32', new Float32Array(4).fill(1), [4]) })).y!;
    assert.deepEqual(Array.from(y.data as Float32Array), [2, 3, 4, 5]);
  });

  it('requested wasm alone: every failure is named in the error', async () => {
    env.wasm.wasmPaths = {};
    await assert.rejects(InferenceSession.create(addModel(), { executionProviders: ['wasm'] }),
      { code: 'ERR_NO_BACKEND', message: /wasm SIMD128 engine failed: .*engine-simd\.wasm/ });
  });

  it('falls back from the relaxed SIMD engine to SIMD128 when the relaxed one fails', () => {
    const simd = pathToFileURL(join(repoRoot, 'dist/engine/engine-simd.wasm')).href;
    const script = `
      const { env, InferenceSession, Tensor } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src/index.ts')).href)});
      env.wasm.wasmPaths = { 'engine-simd.wasm': ${JSON.stringify(simd)} };
      const s = await InferenceSession.create(new Uint8Array(${JSON.stringify(Array.from(addModel()))}));
      const y = (await s.run({ x: new Tensor('float32', new Float32Array(4).fill(1), [4]) })).y;
      console.log(JSON.stringify({ backend: s.backend, reason: s.backendReason, y: Array.from(y.data) }));`;
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: repoRoot, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { backend: string; reason: string; y: number[] };
    assert.equal(r.backend, 'wasm');
    assert.match(r.reason, /^best available: WebAssembly SIMD128 engine, .*\(skipped: wasm relaxed SIMD engine failed: .*no entry for "engine-relaxed\.wasm"/);
    assert.deepEqual(r.y, [2, 3, 4, 5]);
  });
});
