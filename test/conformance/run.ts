/**
 * ONNX backend conformance runner.
 *
 *   npm run conformance -- [--suite node,simple,...] [--filter REGEX] [--backend js,wasm,wasm-mt,ort] [--jobs N] [--update] [--quiet]
 * (wasm-mt: the wasm backend on 2 threads.)
 *
 * Runs each test in a worker thread with a time limit, prints every failure with
 * its reason and a summary per suite, and checks test/conformance/expected-pass.txt:
 * a listed test that no longer passes fails the run. `--update` adds new passes
 * (it never removes lines). `--backend ort` runs onnxruntime-node on the same tests, as the peer.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { repoRoot, sharedOrSkip } from '../helpers/shared.js';
import { runLightModel, runTestDir, type TestResult } from './one-test.js';

const SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator', 'light'] as const;
const EXPECTED = join(repoRoot, 'test/conformance/expected-pass.txt');
// Tests whose expected outputs are random draws (numpy's generator): a pass is luck, so they
// are never recorded as expected passes.
const NONDETERMINISTIC = /^node\/test_(bernoulli|random)/;

interface Job { suite: string; name: string; dir: string; backend: string }

if (!isMainThread) {
  parentPort!.on('message', async (job: Job) => {
    const lightTol = { rtol: job.name.includes('densenet') ? 2e-3 : 1e-3, atol: 1e-7 };
    const r = job.suite === 'light'
      ? await runLightModel(join(job.dir, `${job.name}.onnx`), join(job.dir, `${job.name}_output_0.pb`), job.name, job.backend, lightTol)
      : await runTestDir(job.dir, job.name, job.backend, { rtol: 1e-3, atol: 1e-5 });
    parentPort!.postMessage(r);
  });
} else {
  await main();
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const root = sharedOrSkip('onnx-tests', 'conformance');
  if (!root) return;
  const suites = (arg('suite')?.split(',') ?? [...SUITES]).filter((s) => existsSync(join(root, s)));
  const filter = arg('filter') ? new RegExp(arg('filter')!) : undefined;
  const backends = (arg('backend') ?? 'js,wasm').split(',');
  const jobsN = Number(arg('jobs') ?? Math.max(1, Math.min(2, (await import('node:os')).availableParallelism())));
  const quiet = process.argv.includes('--quiet');
  const update = process.argv.includes('--update');

  const jobs: Job[] = [];
  for (const backend of backends) {
    for (const suite of suites) {
      const dir = join(root, suite);
      const names = suite === 'light'
        ? readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5))
        : readdirSync(dir).filter((d) => existsSync(join(dir, d, 'model.onnx')));
      for (const name of names.sort()) {
        if (filter && !filter.test(name)) continue;
        jobs.push({ suite, name, dir: suite === 'light' ? dir : join(dir, name), backend });
      }
    }
  }
  // Slow tests first so the pool finishes together.
  jobs.sort((a, b) => Number(b.suite === 'light') - Number(a.suite === 'light'));
  const results = await runPool(jobs, jobsN);

  const expected = existsSync(EXPECTED) ? readFileSync(EXPECTED, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  const expectedSet = new Set(expected);
  let regressions = 0;
  const newPasses: string[] = [];
  for (const backend of backends) {
    console.log(`\n== backend ${backend} ==`);
    for (const suite of suites) {
      const rs = results.filter((r) => r.job.suite === suite && r.job.backend === backend);
      if (!rs.length) continue;
      const pass = rs.filter((r) => r.res.status === 'pass').length;
      const loadErr = rs.filter((r) => r.res.status === 'load_error').length;
      for (const r of rs) {
        const key = `${suite}/${r.job.name}`;
        if (r.res.status === 'pass') {
          if (!expectedSet.has(key) && backend !== 'ort') newPasses.push(key);
          continue;
        }
        // The peer ('ort') is measured, never held to our expectation list.
        const listed = backend !== 'ort' && expectedSet.has(key);
        if (listed) regressions++;
        if (!quiet || listed) console.log(`${listed ? 'REGRESSION' : 'FAIL'} ${key} [${r.res.status}] ${r.res.reason ?? ''}`);
      }
      console.log(`suite ${suite}: ${pass}/${rs.length} passed, ${rs.length - pass - loadErr} failed, ${loadErr} failed to load`);
    }
  }
  const uniqueNew = [...new Set(newPasses)].filter((k) => !NONDETERMINISTIC.test(k));
  if (update && uniqueNew.length) {
    const all = [...new Set([...expected, ...uniqueNew])].sort();
    writeFileSync(EXPECTED, `# Conformance tests that must pass (suite/test). Only grows: run \`npm run conformance -- --update\`.\n${all.join('\n')}\n`);
    console.log(`added ${uniqueNew.length} new passes to ${EXPECTED}`);
  } else if (uniqueNew.length) {
    console.log(`${uniqueNew.length} passing tests are not yet in expected-pass.txt (add with --update)`);
  }
  const total = results.length;
  const passed = results.filter((r) => r.res.status === 'pass').length;
  const filteredExpected = expected.filter((k) => results.some((r) => `${r.job.suite}/${r.job.name}` === k));
  console.log(`conformance: ${passed} passed, ${total - passed} failed; ${filteredExpected.length} expected passes checked, ${regressions} regressions`);
  if (regressions) process.exitCode = 1;
}

async function runPool(jobs: Job[], n: number): Promise<{ job: Job; res: TestResult }[]> {
  const out: { job: Job; res: TestResult }[] = [];
  let next = 0;
  const timeoutFor = (j: Job) => (j.suite === 'light' ? 300_000 : 60_000);
  const runner = async () => {
    let w: Worker | undefined;
    const fresh = () => new Worker(new URL('./worker-entry.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    while (next < jobs.length) {
      const job = jobs[next++]!;
      w ??= fresh();
      const worker = w;
      const res = await new Promise<TestResult>((resolve) => {
        const timer = setTimeout(() => { worker.terminate(); w = undefined; resolve({ name: job.name, status: 'fail', reason: `timed out after ${timeoutFor(job) / 1000}s`, ms: timeoutFor(job) }); }, timeoutFor(job));
        const onMsg = (r: TestResult) => { clearTimeout(timer); cleanup(); resolve(r); };
        const onErr = (e: Error) => { clearTimeout(timer); cleanup(); w = undefined; resolve({ name: job.name, status: 'fail', reason: `worker crashed: ${e.message}`, ms: 0 }); };
        const onExit = () => { clearTimeout(timer); cleanup(); w = undefined; resolve({ name: job.name, status: 'fail', reason: 'worker exited', ms: 0 }); };
        const cleanup = () => { worker.off('message', onMsg); worker.off('error', onErr); worker.off('exit', onExit); };
        worker.on('message', onMsg); worker.on('error', onErr); worker.on('exit', onExit);
        worker.postMessage(job);
      });
      out.push({ job, res });
    }
    await w?.terminate();
  };
  await Promise.all(Array.from({ length: n }, runner));
  return out;
}
