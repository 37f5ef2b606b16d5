/**
 * Bundlers end to end: a small app that imports 'wasmnn' (the package as published: package.json
 * exports → dist/, with dist/engine/*.wasm) is built with Vite and with esbuild, served, and runs
 * a model in Chromium on the wasm engine.
 *
 * - Vite sees the engine loader's literal `new URL('../../engine/…', import.meta.url)` and emits
 *   the .wasm files as assets: no configuration.
 * - esbuild leaves `new URL(…)` alone, so the app copies dist/engine beside its bundle and sets
 *   `env.wasm.wasmPaths` (and marks `node:*` external: the Node-only code paths import them lazily).
 *
 * The Vite app runs its session in the proxy worker, which Vite emits from the literal
 * `new Worker(new URL(…))`; the esbuild app sets `env.wasm.proxy = false` (esbuild emits no workers).
 *
 * The package's dist/ is transpiled from src/ per file with esbuild (the layout tsc gives), so the
 * test always checks the current sources without a full tsc build.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { Tensor } from '../../src/tensor.js';
import { browserSkipReason, launchChromium, startDemoServer } from '../helpers/browser.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { repoRoot } from '../helpers/shared.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

/** y = tanh(x · w): MatMul and Tanh both run on the engine. */
function model(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [2, 16]);
  g.init('w', new Tensor('float32', Float32Array.from({ length: 16 * 8 }, (_, i) => Math.cos(i) / 4), [16, 8]));
  g.node('MatMul', ['x', 'w'], {}, ['m']);
  g.node('Tanh', ['m'], {}, ['y']);
  g.output('y', 'float32', [2, 8]);
  return g.build();
}

function expected(): number[] {
  const out: number[] = [];
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let k = 0; k < 16; k++) s += Math.fround(Math.sin(r * 16 + k)) * Math.fround(Math.cos(k * 8 + c) / 4);
      out.push(Math.tanh(s));
    }
  }
  return out;
}

/** The app: the same source for both bundlers; `setup` is where esbuild's build sets wasmPaths. */
const APP = (setup: string) => `import { env, InferenceSession, Tensor } from 'wasmnn';
${setup}
window.runModel = async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const s = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const x = new Tensor('float32', Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 16]);
  const y = (await s.run({ x })).y;
  const r = { backend: s.backend, reason: s.backendReason, y: Array.from(y.data) };
  await s.release();
  return r;
};
document.title = 'ready';
`;

/** The package as npm would install it: package.json, dist/ (per-file JS) and dist/engine. */
async function packageDir(root: string): Promise<string> {
  const pkg = join(root, 'node_modules', 'wasmnn');
  const sources: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.ts') && !f.name.endsWith('.d.ts')) sources.push(p);
    }
  };
  walk(join(repoRoot, 'src'));
  await esbuild({ entryPoints: sources, outbase: join(repoRoot, 'src'), outdir: join(pkg, 'dist'), format: 'esm', target: 'es2022', logLevel: 'warning' });
  mkdirSync(join(pkg, 'dist', 'engine'), { recursive: true });
  for (const f of ['engine-simd.wasm', 'engine-relaxed.wasm']) cpSync(join(repoRoot, 'dist/engine', f), join(pkg, 'dist/engine', f));
  cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  return pkg;
}

const servedWasm: string[] = [];

describe('bundled apps (Vite, esbuild) in Chromium', { skip, timeout: 180_000 }, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  const bytes = model();
  const want = expected();

  before(async () => {
    const root = mkdtempSync(join(tmpdir(), 'wasmnn-bundlers-'));
    const pkg = await packageDir(root);
    const page = '<!doctype html><title>loading</title><script type="module" src="./main.js"></script>';

    // Vite: a project folder whose node_modules holds the package; relative base so it works under /vite/.
    const viteApp = join(root, 'vite-app');
    mkdirSync(join(viteApp, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(viteApp, 'node_modules', 'wasmnn'), 'dir');
    writeFileSync(join(viteApp, 'index.html'), page);
    // Vite follows new Worker(new URL(…, import.meta.url)): the session runs in the proxy worker (the default in a page).
    writeFileSync(join(viteApp, 'main.js'), APP(''));
    const { build: viteBuild } = await import('vite');
    await viteBuild({ root: viteApp, base: './', logLevel: 'error', configFile: false, build: { outDir: join(root, 'vite-out'), target: 'es2022' } });

    // esbuild: one bundle, with the engine copied beside it and found through env.wasm.wasmPaths.
    const esApp = join(root, 'esbuild-app');
    mkdirSync(esApp, { recursive: true });
    // esbuild does not emit worker scripts: this app runs sessions in the page (proxy off).
    writeFileSync(join(esApp, 'main.js'), APP(`env.wasm.wasmPaths = new URL('./engine/', import.meta.url).href;\nenv.wasm.proxy = false;`));
    await esbuild({
      entryPoints: [join(esApp, 'main.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning',
      external: ['node:*'], outfile: join(root, 'esbuild-out', 'main.js'), nodePaths: [join(root, 'node_modules')],
    });
    cpSync(join(pkg, 'dist', 'engine'), join(root, 'esbuild-out', 'engine'), { recursive: true });
    writeFileSync(join(root, 'esbuild-out', 'index.html'), page);

    const emitted = readdirSync(join(root, 'vite-out', 'assets')).filter((f) => f.endsWith('.wasm'));
    assert.ok(emitted.some((f) => f.startsWith('engine-relaxed')) && emitted.some((f) => f.startsWith('engine-simd')),
      `Vite emitted the engine: ${emitted.join(', ')}`);

    server = await startDemoServer({ isolate: false, routes: [['/vite/', join(root, 'vite-out')], ['/esbuild/', join(root, 'esbuild-out')]] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const bundler of ['vite', 'esbuild']) {
    it(`${bundler}: the app finds the engine and runs the model`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (r.url().endsWith('.wasm')) servedWasm.push(r.url()); });
      await page.goto(`${server.url}${bundler}/index.html`);
      await page.waitForFunction(() => document.title === 'ready');
      const r = await page.evaluate((b64) => (window as unknown as { runModel: (b: string) => Promise<{ backend: string; reason: string; y: number[] }> })
        .runModel(b64), Buffer.from(bytes).toString('base64'));
      assert.equal(r.backend, 'wasm', r.reason);
      assert.match(r.reason, /WebAssembly relaxed SIMD engine/);
      if (bundler === 'vite') assert.match(r.reason, /in a worker \(proxy\)/);
      assert.equal(r.y.length, want.length);
      r.y.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `y[${i}] = ${v}, expected ${want[i]}`));
      assert.ok(servedWasm.some((u) => u.includes(`/${bundler}/`) && /engine-relaxed/.test(u)), `engine fetched from the ${bundler} build: ${servedWasm.join(', ')}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
