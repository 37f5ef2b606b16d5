#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/) into the two engine builds:
// dist/engine/engine-simd.wasm (simd128) and dist/engine/engine-relaxed.wasm (relaxed SIMD),
// each also as a -mt variant for threads: the same kernels on an imported shared memory
// (max 4 GiB) that every worker of the pool instantiates the module on.
import asc from 'assemblyscript/asc';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Rebuilding takes a while on a loaded machine: skip builds newer than every kernel source
// (and this script) unless --force.
const newest = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ...readdirSync('assembly').filter((f) => f.endsWith('.ts')).map((f) => statSync(`assembly/${f}`).mtimeMs));
const force = process.argv.includes('--force');

mkdirSync('dist/engine', { recursive: true });
const SHARED = ['--importMemory', '--sharedMemory', '--maximumMemory', '65536'];
const builds = [
  { out: 'dist/engine/engine-simd.wasm', features: 'simd', extra: [] },
  { out: 'dist/engine/engine-relaxed.wasm', features: 'simd,relaxed-simd', extra: [] },
  { out: 'dist/engine/engine-simd-mt.wasm', features: 'simd,threads', extra: SHARED },
  { out: 'dist/engine/engine-relaxed-mt.wasm', features: 'simd,relaxed-simd,threads', extra: SHARED },
];
for (const b of builds) {
  if (!force && existsSync(b.out) && statSync(b.out).mtimeMs > newest) {
    console.log(`${b.out}: up to date (${statSync(b.out).size} bytes)`);
    continue;
  }
  const { error, stderr } = await asc.main([
    'assembly/index.ts', '--runtime', 'stub', '--enable', b.features, '-O3', '--noAssert', ...b.extra,
    '-o', b.out,
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`engine build failed: ${b.out}: ${error.message}`);
    process.exit(1);
  }
  console.log(`${b.out}: ${statSync(b.out).size} bytes`);
}
