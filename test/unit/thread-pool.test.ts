/**
 * The engine thread pool on its own: workers instantiate the shared-memory engine build, split
 * GEMMs give the same bits as one call, thousands of back-to-back jobs never lose or repeat a
 * task, the caller drains each finished task once, idle workers sleep, a script that never
 * releases a threaded session still exits, and a failed start is a typed error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ThreadPool } from '../../src/backends/wasm/threads/pool.js';
import { resolveThreads, threadsUnavailableReason } from '../../src/backends/wasm/threads/config.js';
import { repoRoot } from '../helpers/shared.js';

interface Exports {
  alloc(n: number): number;
  pack_b_f32(b: number, k: number, n: number, ldb: number, transB: number, out: number): void;
  packed_b_bytes(k: number, n: number): number;
  gemm_f32(a: number, lda: number, bp: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, act: number, lo: number, hi: number): void;
  unary_f32(op: number, x: number, y: number, n: number, p0: number, p1: number): void;
}

/** Relu in place (unary_f32 op 0) over `chunks` disjoint runs of `len` floats from `buf`: one task each. */
const reluTasks = (buf: number, chunks: number, len: number) =>
  Array.from({ length: chunks }, (_, i) => ({ fn: 'unary_f32', args: [0, buf + i * len * 4, buf + i * len * 4, len, 0, 0] }));

describe('engine thread pool', () => {
  let module: WebAssembly.Module;
  let memory: WebAssembly.Memory;
  let x: Exports;
  let pool: ThreadPool;
  before(async () => {
    module = await WebAssembly.compile(readFileSync(join(repoRoot, 'dist/engine/engine-simd-mt.wasm')));
    memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const inst = await WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('abort'); } } });
    x = inst.exports as unknown as Exports;
    pool = await ThreadPool.create(module, memory, 2, ['gemm_f32', 'unary_f32'], x as unknown as Record<string, (...a: number[]) => unknown>);
  });
  after(() => pool?.terminate());

  it('a GEMM split by rows over 2 threads equals one call, bit for bit', () => {
    const M = 96, K = 200, N = 72;
    const a = x.alloc(M * K * 4), b = x.alloc(K * N * 4), bp = x.alloc(x.packed_b_bytes(K, N));
    const c1 = x.alloc(M * N * 4), c2 = x.alloc(M * N * 4);
    const f = (p: number, n: number) => new Float32Array(memory.buffer, p, n);
    f(a, M * K).forEach((_, i, arr) => { arr[i] = Math.sin(i * 0.37); });
    f(b, K * N).forEach((_, i, arr) => { arr[i] = Math.cos(i * 0.11); });
    x.pack_b_f32(b, K, N, N, 0, bp);
    x.gemm_f32(a, K, bp, c1, N, M, N, K, 0, 0, 0, 0);
    const tasks = [];
    for (let r = 0; r < M; r += 8) tasks.push({ fn: 'gemm_f32', args: [a + r * K * 4, K, bp, c2 + r * N * 4, N, Math.min(8, M - r), N, K, 0, 0, 0, 0] });
    pool.run(tasks);
    assert.deepEqual(f(c2, M * N), f(c1, M * N));
  });

  it('3,000 back-to-back jobs run every task exactly once', () => {
    // Relu on disjoint 16-float chunks of a buffer of -1s: each task must turn exactly its chunk to 0.
    const chunks = 7, n = chunks * 16;
    const buf = x.alloc(n * 4);
    const v = () => new Float32Array(memory.buffer, buf, n);
    for (let j = 0; j < 3000; j++) {
      v().fill(-1 - j);
      pool.run(reluTasks(buf, chunks, 16));
      assert.ok(v().every((e) => e === 0), `job ${j}`);
    }
  });

  it('drains each finished task once, on the caller, after its output is written', () => {
    // Each task turns its chunk of -(1 + j) to 0; the drain copies the chunk out of shared memory.
    const chunks = 9, n = chunks * 4096;
    const buf = x.alloc(n * 4);
    const v = () => new Float32Array(memory.buffer, buf, n);
    for (let j = 0; j < 200; j++) {
      v().fill(-1 - j);
      const out = new Float32Array(n).fill(NaN);
      const drained: number[] = [];
      pool.run(reluTasks(buf, chunks, 4096), (i) => {
        drained.push(i);
        out.set(v().subarray(i * 4096, (i + 1) * 4096), i * 4096);
      });
      assert.deepEqual([...drained].sort((a, b) => a - b), [...Array(chunks).keys()], `job ${j}`);
      assert.ok(out.every((e) => e === 0), `job ${j}: a chunk was drained before its task wrote it`);
    }
  });

  it('a drain that throws fails the job only after every task is done', () => {
    const buf = x.alloc(4 * 64 * 4);
    const v = new Float32Array(memory.buffer, buf, 4 * 64).fill(-1);
    assert.throws(() => pool.run(reluTasks(buf, 4, 64), (i) => {
      if (i === 0) throw new Error('drain failed');
    }), /drain failed/);
    assert.ok(new Float32Array(memory.buffer, buf, 4 * 64).every((e) => e === 0), 'every task ran');
    // The pool still runs jobs afterwards.
    v.fill(-1);
    pool.run(reluTasks(buf, 2, 128));
    assert.ok(new Float32Array(memory.buffer, buf, 4 * 64).every((e) => e === 0));
  });

  it('idle workers sleep instead of spinning', async () => {
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 300));
    const used = process.cpuUsage(before);
    // A spinning worker would burn ~300 ms of CPU here.
    assert.ok(used.user + used.system < 100_000, `CPU while idle: ${(used.user + used.system) / 1000} ms`);
  });

  it('unknown exports and oversized jobs are refused clearly', () => {
    assert.throws(() => pool.run([{ fn: 'nope', args: [] }, { fn: 'nope', args: [] }]), /engine export "nope" is not callable/);
    assert.throws(() => pool.run(Array.from({ length: 5000 }, () => ({ fn: 'unary_f32', args: [] }))), /at most 1024 tasks/);
  });

  it('a module that cannot start on a worker rejects with ERR_THREADS', async () => {
    // A memory that is not shared cannot reach a worker (nor would the module accept it).
    const unshared = new WebAssembly.Memory({ initial: 1 });
    await assert.rejects(ThreadPool.create(module, unshared, 2, [], {}), (e: Error & { code?: string }) => e.code === 'ERR_THREADS');
  });

  it('thread counts: automatic, requested, invalid', async () => {
    assert.equal(threadsUnavailableReason(), undefined);
    assert.equal((await resolveThreads(2)).threads, 2);
    assert.equal((await resolveThreads(1)).threads, 1);
    assert.ok((await resolveThreads(0)).threads >= 1);
    await assert.rejects(resolveThreads(-1), /whole number/);
  });

  it('a script that never releases a 2-thread session exits when its work is done, as a file or as --input-type=module', () => {
    // The pool's sleeping workers are unref'd; a 'message' listener added after unref() used to
    // ref the worker's port again, so such a script never exited. Under --input-type=module the
    // workers' source is an ES module (no require): they used to fail to start.
    const src = (p: string) => JSON.stringify(pathToFileURL(join(repoRoot, p)).href);
    const script = `
      const { InferenceSession } = await import(${src('src/index.ts')});
      const { Tensor } = await import(${src('src/tensor.ts')});
      const { GraphBuilder } = await import(${src('test/helpers/onnx-builder.ts')});
      const g = new GraphBuilder();
      g.input('x', 'float32', [64, 64]);
      g.node('MatMul', ['x', g.init('w', new Tensor('float32', new Float32Array(64 * 64).fill(0.5), [64, 64]))], {}, ['y']);
      g.output('y');
      const s = await InferenceSession.create(g.build({ opset: 17 }), { executionProviders: ['wasm'], intraOpNumThreads: 2 });
      await s.run({ x: new Tensor('float32', new Float32Array(64 * 64).fill(1), [64, 64]) });
      console.log('ran');`;
    const dir = mkdtempSync(join(tmpdir(), 'wasmnn-exit-'));
    try {
      const file = join(dir, 'script.mjs');
      writeFileSync(file, script);
      for (const args of [[file], ['--input-type=module', '-e', script]]) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 30_000 });
        assert.equal(r.error, undefined, `${args[0]}: did not exit within 30 s`);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /ran/);
        assert.doesNotMatch(r.stderr, /did not start/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
