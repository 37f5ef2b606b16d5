/**
 * Pipelines on browser image sources in Chromium: an <img>, an ImageBitmap and a canvas of the
 * squeezenet kitten are each classified as tabby, with the pipeline in the proxy worker.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, bundleTestPage, launchChromium, startDemoServer, type DemoServer } from '../helpers/browser.js';
import { sharedDir, sharedOrSkip } from '../helpers/shared.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);
const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'browser pipelines (squeezenet)');

describe('pipelines on browser image sources (Chromium)', { skip: skip ?? !squeeze }, () => {
  let browser: Browser;
  let server: DemoServer;
  before(async () => {
    const dir = await bundleTestPage('pipelines', 'test/browser/pages/pipelines.ts');
    server = await startDemoServer({ routes: [['/x/', join(dir, 'x')], ['/squeezenet/', squeeze!]] });
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
