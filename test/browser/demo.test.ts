/**
 * The demo in headless Chromium, served with COOP/COEP: the page opens with a working digit
 * recognizer (no download besides its own 88 KB model), a digit drawn with the mouse is
 * recognised by the model running in the page's worker. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium, startDemoServer } from '../helpers/browser.js';
import { repoRoot, sharedDir, sharedOrSkip } from '../helpers/shared.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

const artifacts = join(repoRoot, 'test-artifacts');

/** Draws polylines on the pad with the mouse, in the pad's 280×280 coordinates. */
async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const sx = box.width / 280, sy = box.height / 280;
  for (const s of strokes) {
    await page.mouse.move(box.x + s[0]![0] * sx, box.y + s[0]![1] * sy);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x * sx, box.y + y * sy, { steps: 12 });
    await page.mouse.up();
  }
}

describe('demo page (Chromium)', { skip }, () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-demo.mjs')], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    server = await startDemoServer();
    browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens cross-origin isolated with the digit model loaded in a worker, and recognises a drawn 7', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await page.waitForFunction(() => /Backend: /.test(document.getElementById('backend-reason')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // The feature panel lists what the browser supports: this Chromium has SIMD and, isolated, threads.
    const feats = await page.evaluate(() => (window as unknown as { wasmnnDemo: { features: Record<string, unknown> } }).wasmnnDemo.features);
    assert.equal(feats.simd, true);
    assert.equal(feats.crossOriginIsolated, true);
    assert.equal(feats.threads, true);
    assert.match(await page.locator('#feature-table').textContent() ?? '', /SIMD \(128-bit\)yes/);
    const reason = await page.locator('#backend-reason').textContent();
    assert.match(reason!, /Backend: wasm: .*WebAssembly .*engine/, reason!);
    await draw(page, [[[70, 50], [210, 50], [120, 250]], [[110, 150], [200, 150]]]);
    await page.waitForFunction(() => (window as unknown as { wasmnnDemo: { digit?: number } }).wasmnnDemo.digit === 7, undefined, { timeout: 15_000 });
    assert.equal(await page.locator('#digit-guess').textContent(), '7');
    await page.screenshot({ path: join(artifacts, 'demo-digit-7.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('clearing and drawing a 0 changes the answer; the js backend gives the same digit', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => /Backend: /.test(document.getElementById('backend-reason')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.selectOption('#backend', 'js');
    await page.waitForFunction(() => /Backend: js/.test(document.getElementById('backend-reason')?.textContent ?? ''), undefined, { timeout: 30_000 });
    const ring: [number, number][] = Array.from({ length: 41 }, (_, i) => [140 + 60 * Math.cos((i / 40) * 2 * Math.PI), 140 + 95 * Math.sin((i / 40) * 2 * Math.PI)]);
    await draw(page, [ring]);
    await page.waitForFunction(() => (window as unknown as { wasmnnDemo: { digit?: number } }).wasmnnDemo.digit === 0, undefined, { timeout: 15_000 });
    await page.click('#clear');
    assert.equal(await page.locator('#digit-guess').textContent(), '?');
    await page.close();
  });

  /** Opens the page, drops `files` on the model panel with the given task settings, and waits for results (or an error). */
  async function panelRun(settings: Record<string, string>, files: string[]): Promise<{ page: Page; results: unknown }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(server.url);
    for (const [select, value] of Object.entries(settings)) await page.selectOption(select, value);
    await page.setInputFiles('#files', files);
    const results = await page.waitForFunction(() => {
      const p = (window as unknown as { wasmnnDemo: { panel?: { results?: unknown[]; error?: string } } }).wasmnnDemo.panel;
      return p?.error ? { error: p.error } : p?.results?.length ? p.results : undefined;
    }, undefined, { timeout: 60_000 }).then((h) => h.jsonValue());
    assert.ok(Array.isArray(results), JSON.stringify(results));
    return { page, results };
  }

  const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'demo: squeezenet in the browser');
  it('squeezenet (fp16) from ../shared classifies the kitten as tabby', { skip: !squeeze }, async () => {
    const { page, results } = await panelRun({ '#task': 'image-classification', '#prep': 'caffe' },
      [join(squeeze!, 'model.onnx'), join(squeeze!, 'orig/kitten_224.png'), join(sharedDir, 'labels/imagenet-1000.txt')]);
    const top = results as { label: string; score: number }[];
    assert.equal(top[0]!.label, 'tabby');
    assert.match(await page.locator('#results').textContent() ?? '', /tabby — [0-9.]+%/);
    await page.screenshot({ path: join(artifacts, 'demo-squeezenet-kitten.png'), fullPage: true });
    await page.close();
  });

  const fastest = sharedOrSkip('models/fastestdet', 'demo: fastestdet in the browser');
  it('fastestdet draws boxes on wolves.jpg', { skip: !fastest }, async () => {
    const { page, results } = await panelRun({ '#task': 'object-detection', '#decoder': 'fastestdet', '#prep': 'unit' },
      [join(fastest!, 'model.onnx'), join(fastest!, 'orig/wolves.jpg'), join(sharedDir, 'labels/coco-80.txt')]);
    const dets = results as { label: string; score: number }[];
    assert.ok(dets.length >= 2, `${dets.length} detections`);
    // The boxes are drawn on the image: red pixels inside the view canvas.
    const red = await page.evaluate(() => {
      const c = document.querySelector('#view canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 240 && d[i + 1]! < 80 && d[i + 2]! < 80) n++;
      return n;
    });
    assert.ok(red > 500, `${red} box-coloured pixels`);
    await page.screenshot({ path: join(artifacts, 'demo-fastestdet-wolves.png'), fullPage: true });
    await page.close();
  });
});
