/**
 * The wasm backend's memory plan across op kinds: values stay in engine memory from one engine
 * kernel to the next (MatMul, elementwise, Softmax, LayerNorm, Transpose, Conv), view ops
 * (Reshape, Flatten, Squeeze, Unsqueeze) alias them, and every output read later, by a
 * reference kernel, as a graph output or after another run, still holds its own values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors } from '../helpers/compare.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const rnd = (dims: number[], seed: number) => randomTensor('float32', dims, seed, -1, 1);
const i64 = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

/** Runs both feeds on wasm (1 and 2 threads) before reading anything, then compares every output with js. */
async function sameAsJs(bytes: Uint8Array, feeds: Record<string, Tensor>[]): Promise<void> {
  const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
  for (const threads of [1, 2]) {
    const wasm = await InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: threads });
    const got = [];
    for (const f of feeds) got.push(await wasm.run(f));
    for (let i = 0; i < feeds.length; i++) {
      const ref = await js.run(feeds[i]!);
      for (const name of js.outputNames) assert.equal(compareTensors(got[i]![name]!, ref[name]!, TOL, `${name} (${threads} threads, run ${i})`), undefined);
    }
    await wasm.release();
  }
  await js.release();
}

describe('wasm memory plan: values stay in engine memory across op kinds', () => {
  it('MatMul → Reshape → Softmax → Reshape → Add (residual) → LayerNorm, a view also read by a reference op and as an output', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [4, 16]);
    g.node('MatMul', ['x', g.init('w', rnd([16, 32], 3))], {}, ['m']);
    g.node('Reshape', ['m', g.init('s1', i64([4, 4, 8]))], {}, ['r']);
    g.node('Softmax', ['r'], { axis: -1 }, ['p']);
    g.node('Reshape', ['p', g.init('s2', i64([4, 32]))], {}, ['q']);
    g.node('Add', ['q', 'm'], {}, ['a']);
    g.node('LayerNormalization', ['a', g.init('ga', rnd([32], 4)), g.init('be', rnd([32], 5))], { axis: -1 }, ['y']);
    // A reader on the reference kernel (Neg has no engine kernel) and the view as a graph output.
    g.node('Neg', ['r'], {}, ['neg']);
    g.output('y');
    g.output('r');
    g.output('neg');
    await sameAsJs(g.build({ opset: 17 }), [{ x: rnd([4, 16], 1) }, { x: rnd([4, 16], 2) }]);
  });

  it('Conv → Flatten → Gemm and Conv → Squeeze/Unsqueeze → Transpose → Relu', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [1, 4, 6, 6]);
    g.node('Conv', ['x', g.init('wc', rnd([8, 4, 3, 3], 6))], { pads: [1, 1, 1, 1] }, ['c']);
    g.node('Flatten', ['c'], { axis: 1 }, ['f']);
    g.node('Gemm', ['f', g.init('wg', rnd([8 * 36, 10], 7)), g.init('bg', rnd([10], 8))], {}, ['y']);
    g.node('Unsqueeze', ['c', g.init('ax', i64([0]))], {}, ['u']);
    g.node('Squeeze', ['u', g.init('ax0', i64([0, 1]))], {}, ['sq']);
    g.node('Transpose', ['sq'], { perm: [1, 2, 0] }, ['t']);
    g.node('Relu', ['t'], {}, ['z']);
    g.output('y');
    g.output('z');
    await sameAsJs(g.build({ opset: 17 }), [{ x: rnd([1, 4, 6, 6], 9) }, { x: rnd([1, 4, 6, 6], 10) }]);
  });

  it('a Loop body: the carried value is fed back and read twice per iteration, its bytes never reused early', async () => {
    const body = new GraphBuilder('body');
    body.input('i', 'int64', []);
    body.input('cin', 'bool', []);
    body.input('h', 'float32', [4, 8]);
    body.node('MatMul', ['h', body.init('w', rnd([8, 8], 13))], {}, ['m']);
    body.node('Tanh', ['m'], {}, ['t']);
    body.node('Mul', ['h', body.init('half', new Tensor('float32', Float32Array.of(0.5), []))], {}, ['hh']);
    body.node('Add', ['t', 'hh'], {}, ['h2']);
    body.node('Identity', ['cin'], {}, ['cout']);
    body.node('Relu', ['h2'], {}, ['y']);
    body.output('cout', 'bool', []).output('h2', 'float32', [4, 8]).output('y', 'float32', [4, 8]);
    const g = new GraphBuilder();
    g.input('x', 'float32', [4, 8]);
    g.node('Loop', [g.init('n', new Tensor('int64', BigInt64Array.of(6n), [])), '', 'x'], { body: { graph: body } }, ['hn', 'ys']);
    g.output('hn');
    g.output('ys');
    await sameAsJs(g.build({ opset: 17 }), [{ x: rnd([4, 8], 14) }, { x: rnd([4, 8], 15) }]);
  });

  it('a bad Reshape on a resident value raises the reference kernel\'s error', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2, 8]);
    g.node('MatMul', ['x', g.init('w', rnd([8, 8], 11))], {}, ['m']);
    g.node('Reshape', ['m', g.init('s', i64([3, 5]))], {}, ['y']);
    g.output('y');
    const s = await InferenceSession.create(g.build({ opset: 17 }), { executionProviders: ['wasm'] });
    await assert.rejects(s.run({ x: rnd([2, 8], 12) }), /Reshape/);
    await s.release();
  });
});

describe('wasm: a product the run hands out is copied as its GEMM tasks finish', () => {
  // 256×256×256 splits over threads; the copy is filled task by task (parallel-gemm.ts).
  // Weights of ±1/16 keep every value near 1, where the shared tolerance means the same as above.
  const w = (dims: number[], seed: number) => randomTensor('float32', dims, seed, -1 / 16, 1 / 16);
  const big = (): GraphBuilder => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [256, 256]);
    g.input('r', 'float32', [256, 256]);
    g.node('MatMul', ['x', g.init('w', w([256, 256], 21))], {}, ['m']);
    // m is an output and also read by engine kernels after it.
    g.node('Relu', ['m'], {}, ['relu']);
    g.node('MatMul', ['relu', g.init('w2', w([256, 256], 22))], {}, ['m2']);
    g.node('Add', ['m2', 'r'], {}, ['res']);
    g.node('Gemm', ['res', g.init('w3', w([256, 200], 23)), g.init('b3', w([200], 24))], {}, ['y']);
    g.node('MatMul', ['x', g.init('w4', w([256, 64], 25))], {}, ['act']);
    g.node('Relu', ['act'], {}, ['z']);
    for (const o of ['m', 'relu', 'res', 'y', 'z']) g.output(o);
    return g;
  };
  const feeds = (seed: number) => ({ x: rnd([256, 256], seed), r: rnd([256, 256], seed + 1) });

  it('outputs (also read by later kernels, with a residual, a bias, an activation) equal js on 1 and 2 threads, run after run', async () => {
    await sameAsJs(big().build({ opset: 17 }), [feeds(31), feeds(33)]);
  });

  it('a product of few rows, split by columns, is copied column chunk by column chunk', async () => {
    // 2×512 · 512×1024: 2^20 multiply-adds split over threads, too few rows to cut by rows.
    const g = new GraphBuilder();
    g.input('v', 'float32', [2, 512]);
    g.node('Gemm', ['v', g.init('wv', w([512, 1024], 26)), g.init('bv', w([1024], 27))], {}, ['logits']);
    g.output('logits');
    await sameAsJs(g.build({ opset: 17 }), [{ v: rnd([2, 512], 51) }, { v: rnd([2, 512], 52) }]);
  });

  it('a product the caller did not fetch is not handed out, and fetched ones still are', async () => {
    const bytes = big().build({ opset: 17 });
    const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
    const wasm = await InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: 2 });
    for (const fetch of [['y'], ['m', 'z'], ['res']]) {
      const [a, b] = [await wasm.run(feeds(41), fetch), await wasm.run(feeds(43), fetch)];
      const [ra, rb] = [await js.run(feeds(41)), await js.run(feeds(43))];
      assert.deepEqual(Object.keys(a).sort(), [...fetch].sort());
      for (const name of fetch) {
        assert.equal(compareTensors(a[name]!, ra[name]!, TOL, `${name} of fetch ${fetch.join(',')}, run 1`), undefined);
        assert.equal(compareTensors(b[name]!, rb[name]!, TOL, `${name} of fetch ${fetch.join(',')}, run 2`), undefined);
      }
    }
    await wasm.release();
    await js.release();
  });
});
