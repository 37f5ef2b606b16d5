/**
 * The wasm engine's Transpose kernel and the row-split elementwise, normalisation and attention
 * kernels: against the reference backend, and bit-identical on 1 and 2 threads (sizes large
 * enough that every kernel here splits its rows over the pool).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transposeLoop } from '../../src/backends/wasm/transpose-kernel.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from '../helpers/compare.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

const TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const rnd = (dims: number[], seed: number, lo = -3, hi = 3) => randomTensor('float32', dims, seed, lo, hi);

async function run(model: Uint8Array, feeds: Record<string, Tensor>, ep: string, threads = 1): Promise<Tensor> {
  const s = await InferenceSession.create(model, { executionProviders: [ep], intraOpNumThreads: threads });
  const y = s.runSync(feeds)[s.outputNames[0]!] as Tensor;
  await s.release();
  return y;
}

/** The output on js, wasm (1 thread) and wasm (2 threads): wasm close to js, 2 threads identical to 1. */
async function check(model: Uint8Array, feeds: Record<string, Tensor>, tol: Tolerance = TOL, exact = false): Promise<void> {
  const ref = await run(model, feeds, 'js');
  const one = await run(model, feeds, 'wasm', 1);
  const two = await run(model, feeds, 'wasm', 2);
  if (exact) assert.deepEqual(one.data, ref.data);
  else assert.equal(compareTensors(one, ref, tol), undefined);
  assert.deepEqual(two.dims, one.dims);
  assert.ok(Buffer.from((one.data as Float32Array).buffer).equals(Buffer.from((two.data as Float32Array).buffer)), '2 threads differ from 1');
}

function single(op: string, dims: number[], attrs: Record<string, AttrValue> = {}, extra: (g: GraphBuilder) => string[] = () => []): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', dims);
  g.node(op, ['x', ...extra(g)], attrs, ['y']);
  g.output('y');
  return g.build({ opset: 20 });
}

describe('wasm Transpose', () => {
  it('coalesces to at most four output dims, unit dims after the first', () => {
    assert.deepEqual(transposeLoop([1, 128, 12, 64], [0, 2, 1, 3]), { dims: [12, 1, 128, 64], strides: [64, 0, 768, 1] });
    assert.deepEqual(transposeLoop([2, 3, 4], [0, 2, 1]), { dims: [2, 1, 4, 3], strides: [12, 0, 1, 4] });
    assert.equal(transposeLoop([2, 3, 4], [0, 1, 2]), undefined); // identity
    assert.equal(transposeLoop([2, 3, 2, 3, 2], [4, 3, 2, 1, 0]), undefined); // five axes
  });

  const cases: [number[], number[] | undefined][] = [
    [[1, 13, 5, 7], [0, 2, 1, 3]], [[1, 13, 5, 7], [0, 2, 3, 1]], [[3, 7], [1, 0]], [[3, 7], undefined],
    [[2, 3, 5], [2, 0, 1]], [[2, 3, 5, 7], [3, 1, 0, 2]], [[2, 1, 3, 1, 5, 2], [5, 4, 2, 3, 0, 1]],
    [[2, 3, 2, 3, 2], [4, 3, 2, 1, 0]], [[4, 5], [0, 1]],
    // Large enough to split over threads: the attention head and key transposes.
    [[6, 130, 12, 67], [0, 2, 1, 3]], [[6, 130, 12, 67], [0, 2, 3, 1]], [[3, 301, 1201], [2, 0, 1]],
  ];
  for (const [dims, perm] of cases) {
    it(`${JSON.stringify(dims)} perm ${JSON.stringify(perm)}`, async () => {
      await check(single('Transpose', dims, perm ? { perm } : {}), { x: rnd(dims, 3) }, TOL, true);
    });
  }
});

describe('wasm elementwise and normalisation, split over threads', () => {
  it('Gelu (erf and tanh forms) and Tanh over ranges with a vector tail', async () => {
    const dims = [3, 129, 97];
    await check(single('Gelu', dims), { x: rnd(dims, 5) });
    await check(single('Gelu', dims, { approximate: 'tanh' }), { x: rnd(dims, 6) });
    await check(single('Tanh', dims), { x: rnd(dims, 7) });
  });
  const binary: [string, number[], number[]][] = [
    ['same shape', [5, 333, 331], [5, 333, 331]],
    ['broadcast row', [5, 333, 331], [331]],
    ['broadcast column', [5, 333, 331], [5, 333, 1]],
    ['outer dim 1: split along the middle dim', [1, 1700, 331], [1, 1, 331]],
    ['one long run', [560001], [560001]],
  ];
  for (const [name, a, b] of binary) {
    it(`Add/Mul, ${name}`, async () => {
      for (const op of ['Add', 'Mul']) {
        const g = new GraphBuilder();
        g.input('a', 'float32', a);
        g.input('b', 'float32', b);
        g.node(op, ['a', 'b'], {}, ['y']);
        g.output('y');
        await check(g.build({ opset: 17 }), { a: rnd(a, 8), b: rnd(b, 9) }, TOL, true);
      }
    });
  }
  it('LayerNormalization and Softmax rows', async () => {
    const dims = [3, 301, 129];
    const ln = single('LayerNormalization', dims, { axis: -1 }, (g) => [g.init('s', rnd([129], 10)), g.init('b', rnd([129], 11))]);
    await check(ln, { x: rnd(dims, 12) });
    await check(single('Softmax', [7, 61, 131], { axis: -1 }), { x: rnd([7, 61, 131], 13) });
  });
  it('Attention: score rows with a mask, split over threads', async () => {
    const [B, S, H, D] = [1, 131, 4, 16];
    const g = new GraphBuilder();
    g.input('q', 'float32', [B, H, S, D]);
    g.input('kt', 'float32', [B, H, D, S]);
    g.input('v', 'float32', [B, H, S, D]);
    g.input('mask', 'float32', [B, 1, 1, S]);
    g.node('MatMul', ['q', 'kt'], {}, ['qk']);
    g.node('Div', ['qk', g.init('c', new Tensor('float32', [4], []))], {}, ['scaled']);
    g.node('Add', ['scaled', 'mask'], {}, ['masked']);
    g.node('Softmax', ['masked'], { axis: -1 }, ['p']);
    g.node('MatMul', ['p', 'v'], {}, ['y']);
    g.output('y');
    const feeds = { q: rnd([B, H, S, D], 14), kt: rnd([B, H, D, S], 15), v: rnd([B, H, S, D], 16), mask: rnd([B, 1, 1, S], 17, -4, 0) };
    await check(g.build({ opset: 13 }), feeds);
  });
});
