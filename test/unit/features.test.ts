/** features(): shape, caching, and probe modules that really hold each feature's instructions. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { features } from '../../src/index.js';
import { PROBE_MODULES } from '../../src/backends/wasm/probe.js';

describe('features()', () => {
  it('reports every feature with the right types, cached', () => {
    const f = features();
    assert.deepEqual(Object.keys(f).sort(), ['crossOriginIsolated', 'exceptions', 'hardwareConcurrency', 'memory64', 'relaxedSimd', 'simd', 'threads', 'webassembly', 'webgpu', 'webnn']);
    for (const [k, v] of Object.entries(f)) assert.equal(typeof v, k === 'hardwareConcurrency' ? 'number' : 'boolean', k);
    assert.ok(f.hardwareConcurrency >= 1);
    assert.strictEqual(features(), f);
    // Node 20 has WebAssembly, SIMD, threads and exception handling; no WebGPU, WebNN or isolation.
    assert.equal(f.webassembly && f.simd && f.threads && f.exceptions, true);
    assert.equal(f.webgpu || f.webnn || f.crossOriginIsolated, false);
  });

  it('probes modules that an engine rejects without the feature and accepts with it', () => {
    const script = `const m = ${JSON.stringify(Object.fromEntries(Object.entries(PROBE_MODULES).map(([k, v]) => [k, [...v]])))};
      const r = {}; for (const k in m) r[k] = WebAssembly.validate(new Uint8Array(m[k])); console.log(JSON.stringify(r));`;
    const run = (flags: string[]) => JSON.parse(spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }).stdout) as Record<string, boolean>;
    const on = run(['--experimental-wasm-memory64', '--experimental-wasm-relaxed-simd']);
    assert.deepEqual(on, { simd: true, relaxedSimd: true, threads: true, memory64: true, exceptions: true });
    const off = run([]);
    // Node 20 ships memory64 and relaxed SIMD behind flags: the probes must notice.
    if (Number(process.versions.node.split('.')[0]) === 20) assert.deepEqual([off.memory64, off.relaxedSimd], [false, false]);
  });
});
