/**
 * Threads and off-main-thread inference in Chromium. With COOP/COEP the page gets 2 threads and
 * the same ResNet-50 output as 1 thread, and keeps painting (requestAnimationFrame ≥ 30 fps)
 * while ResNet-50 runs, because the session runs in the proxy worker. Without the headers it
 * falls back to 1 thread and says which headers enable threads. Models are served by the test
 * server and fetched by the page.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Tensor } from '../../src/tensor.js';
import { browserSkipReason, bundleTestPage, launchChromium, startDemoServer, type DemoServer } from '../helpers/browser.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { RESNET50_IO, resnet50File, resnet50Path, testModelDir } from '../helpers/resnet50.js';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

/**
 * Six 512×512 layers on 256 rows: only for the fallback check, which reads the backend's reason
 * and needs no long run, so CI does not pay for another ResNet-50 session there.
 */
function smallModel(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [256, 512]);
  let prev = 'x';
  for (let l = 0; l < 6; l++) {
    g.init(`w${l}`, new Tensor('float32', Float32Array.from({ length: 512 * 512 }, (_, i) => Math.cos(i * 0.7 + l) / 16), [512, 512]));
    g.node('MatMul', [prev, `w${l}`], {}, [`m${l}`]);
    g.node('Tanh', [`m${l}`], {}, [`t${l}`]);
    prev = `t${l}`;
  }
  g.output(prev, 'float32', [256, 512]);
  return g.build();
}

type RunResult = { reason: string; output: number[]; ms: number; fps: number; frames: number; runs: number };

interface ServedModel { url: string; input: { name: string; dims: number[] } }
const SMALL: ServedModel = { url: '/x/small.onnx', input: { name: 'x', dims: [256, 512] } };
const RESNET50: ServedModel = { url: `/test-models/${resnet50File}`, input: { name: RESNET50_IO.input, dims: [...RESNET50_IO.dims] } };

/** Runs `model` in the page for at least `minMs` (at least one run after the warm-up), counting frames. */
async function run(page: Page, model: ServedModel, threads: number, minMs: number): Promise<RunResult> {
  return page.evaluate(async ({ model, threads, minMs }) => {
    const w = window as unknown as { runModel: (url: string, t: number, i: { name: string; dims: number[] }, m: number) => Promise<RunResult> };
    return w.runModel(model.url, threads, model.input, minMs);
  }, { model, threads, minMs });
}

describe('threads and proxy worker (Chromium)', { skip }, () => {
  let browser: Browser;
  const servers: DemoServer[] = [];
  let isolated: string, plain: string;
  before(async () => {
    resnet50Path(); // builds the cached model on first use (about a second)
    const dir = await bundleTestPage('threads', 'test/browser/pages/threads.ts');
    writeFileSync(join(dir, 'x', 'small.onnx'), smallModel());
    const routes: [string, string][] = [['/x/', join(dir, 'x')], ['/test-models/', testModelDir]];
    const a = await startDemoServer({ routes });
    const b = await startDemoServer({ routes, isolate: false });
    servers.push(a, b);
    isolated = `${a.url}x/y/index.html`;
    plain = `${b.url}x/y/index.html`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  it('cross-origin isolated: ResNet-50 on 2 threads gives the 1-thread output, and the page keeps painting', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(isolated);
    await page.waitForFunction(() => document.title === 'ready');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const one = await run(page, RESNET50, 1, 0);
    const two = await run(page, RESNET50, 2, 1500);
    assert.match(one.reason, /1 thread/);
    assert.match(two.reason, /2 threads \(requested\).*in a worker/);
    assert.deepEqual(two.output, one.output);
    assert.ok(two.fps >= 30, `${two.fps.toFixed(1)} frames/s over ${two.runs} runs (${two.frames} frames)`);
    console.log(`# browser ResNet-50: 1 thread ${one.ms.toFixed(0)} ms/run, 2 threads ${two.ms.toFixed(0)} ms/run (${two.runs} runs), ${two.fps.toFixed(0)} fps while running`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('without COOP/COEP: 1 thread, and the reason names the headers', async () => {
    const page = await browser.newPage();
    await page.goto(plain);
    await page.waitForFunction(() => document.title === 'ready');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const r = await run(page, SMALL, 2, 0);
    assert.match(r.reason, /1 thread: the page is not cross-origin isolated: .*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    await page.close();
  });
});
