/**
 * Test page for threads and off-main-thread inference: fetches a model from the test server
 * (ResNet-50 is 100 MB, too big to pass through page.evaluate) and runs it with the requested
 * threads (proxied to a worker by default, as in any page) while counting animation frames, so
 * the test sees threads, results and whether the page kept painting.
 */
import { env, InferenceSession, Tensor } from '../../../src/index.js';

interface RunResult { reason: string; output: number[]; ms: number; fps: number; frames: number; runs: number }

async function runModel(url: string, threads: number, input: { name: string; dims: number[] }, minMs: number): Promise<RunResult> {
  env.wasm.numThreads = threads;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const s = await InferenceSession.create(new Uint8Array(await response.arrayBuffer()));
  const n = input.dims.reduce((a, b) => a * b, 1);
  const x = new Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.013)), input.dims);
  await s.run({ [input.name]: x }); // warm-up: starts the thread pool
  let frames = 0, counting = true;
  const tick = () => { frames++; if (counting) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const t0 = performance.now();
  let out: Tensor | undefined, runs = 0;
  while (performance.now() - t0 < minMs || runs === 0) {
    out = (await s.run({ [input.name]: x }))[s.outputNames[0]!]!;
    runs++;
  }
  const ms = performance.now() - t0;
  counting = false;
  await s.release();
  return { reason: s.backendReason, output: Array.from(out!.data as Float32Array), ms: ms / runs, fps: (frames * 1000) / ms, frames, runs };
}

(window as unknown as { runModel: typeof runModel }).runModel = runModel;
document.title = 'ready';
