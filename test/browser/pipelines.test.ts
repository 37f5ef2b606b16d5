/**
 * Pipelines on browser image sources in Chromium: an <img>, an ImageBitmap and a canvas of the
 * squeezenet kitten are each classified as tabby, with the pipeline in the proxy worker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/browser.js';
import { repoRoot, sharedDir, sharedOrSkip } from '../helpers/shared.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);
const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'browser pipelines (squeezenet)');

describe('pipelines on browser image sources (Chromium)', { skip: skip ?? !squeeze }, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmnn-pipelines-page-'));
    await build({
      absWorkingDir: repoRoot, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], logLevel: 'warning',
      entryPoints: { pipelines: 'test/browser/pages/pipelines.ts', 'host-entry': 'src/runtime/proxy/host-entry.ts' }, outdir: join(dir, 'x', 'y'),
    });
    writeFileSync(join(dir, 'x', 'y', 'index.html'), '<!doctype html><title>loading</title><script type="module" src="pipelines.js"></script>');
    const { startServer } = await import(join(repoRoot, 'demo/server.mjs')) as {
      startServer: (o: { port: number; routes?: [string, string][] }) => Promise<{ url: string; close: () => Promise<void> }>;
    };
    server = await startServer({ port: 0, routes: [['/x/', join(dir, 'x')], ['/squeezenet/', squeeze!]] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an <img>, an ImageBitmap and a canvas of the kitten are all tabby', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}x/y/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const labels = readFileSync(join(sharedDir, 'labels/imagenet-1000.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
    const r = await page.evaluate(([labels]) => (window as unknown as { classifySources: (m: string, l: string[], i: string) => Promise<Record<string, string>> })
      .classifySources('/squeezenet/model.onnx', labels, '/squeezenet/orig/kitten_224.png'), [labels] as const);
    assert.deepEqual(r, { img: 'tabby', bitmap: 'tabby', canvas: 'tabby', proxied: 'true' });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
