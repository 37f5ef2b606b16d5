/**
 * The inline build (`wasmnn/inline`, scripts/build-inline.mjs): a package with no engine files
 * anywhere, plus dist/inline.js, runs a model on the wasm engine in a fresh Node process: the
 * engine comes from the embedded bytes, with nothing fetched or read from disk.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { repoRoot } from '../helpers/shared.js';

function model(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [2, 4]);
  g.init('w', new Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i - 5), [4, 3]));
  g.node('MatMul', ['x', 'w'], {}, ['m']);
  g.node('Relu', ['m'], {}, ['y']);
  g.output('y', 'float32', [2, 3]);
  return g.build();
}

describe('inline engine build', { timeout: 60_000 }, () => {
  it('runs on the wasm engine with no engine file reachable', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wasmnn-inline-'));
    const dist = join(root, 'pkg', 'dist');
    const sources: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        if (f.isDirectory()) walk(join(d, f.name));
        else if (f.name.endsWith('.ts') && !f.name.endsWith('.d.ts')) sources.push(join(d, f.name));
      }
    };
    walk(join(repoRoot, 'src'));
    // The package's JS, per file as tsc lays it out, but without dist/engine.
    await build({ entryPoints: sources, outbase: join(repoRoot, 'src'), outdir: dist, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'warning' });
    writeFileSync(join(root, 'pkg', 'package.json'), '{"type":"module"}');
    execFileSync(process.execPath, ['scripts/build-inline.mjs', '--dist', dist, '--engine', join(repoRoot, 'dist/engine')], { cwd: repoRoot });
    assert.ok(!existsSync(join(dist, 'engine')) && !existsSync(join(root, 'dist')), 'no engine files near the package');

    writeFileSync(join(dist, 'check.mjs'), `
      import { env, InferenceSession, Tensor } from './inline.js';
      globalThis.fetch = () => { throw new Error('fetch called'); };
      const s = await InferenceSession.create(new Uint8Array(${JSON.stringify(Array.from(model()))}), { executionProviders: ['wasm'] });
      const y = (await s.run({ x: new Tensor('float32', Float32Array.of(1, 2, 3, 4, -1, 0, 1, 2), [2, 4]) })).y;
      console.log(JSON.stringify({ backend: s.backend, reason: s.backendReason, proxy: env.wasm.proxy, y: Array.from(y.data) }));`);
    const out = execFileSync(process.execPath, [join(dist, 'check.mjs')], { cwd: root, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { backend: string; reason: string; proxy: boolean; y: number[] };
    assert.equal(r.backend, 'wasm', r.reason);
    assert.match(r.reason, /WebAssembly SIMD128 engine/);
    assert.equal(r.proxy, false);
    // x · w with w = [[-5,-4,-3],[-2,-1,0],[1,2,3],[4,5,6]], then Relu.
    assert.deepEqual(r.y, [10, 20, 30, 14, 16, 18]);
  });
});
