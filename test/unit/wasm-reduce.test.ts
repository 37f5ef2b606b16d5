/**
 * The wasm engine's Reduce*, InstanceNormalization and BatchNormalization kernels: against the
 * reference backend on random shapes, axes and keepdims (empty, negative and non-adjacent axes,
 * size-0 and single-element dims, axes as attribute, constant input or runtime input), and
 * bit-identical on 1 and 2 threads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reducePasses } from '../../src/backends/wasm/reduce-kernels.js';
import { reduceLayout } from '../../src/ops/reduce/reduce-plan.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from '../helpers/compare.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { randomTensor, rng } from '../helpers/oracle.js';

const TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };
/** Long sums in float32 partial accumulators against the reference's float64 fold. */
const LONG_TOL: Tolerance = { rtol: 1e-4, atol: 1e-4 };

const OPS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare',
  'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp'] as const;

/** Value ranges that keep each op's result finite and well conditioned. */
function range(op: string): [number, number] {
  if (op === 'ReduceProd') return [0.8, 1.25];
  if (op === 'ReduceLogSum') return [0.05, 2];
  return [-2, 2];
}

async function run(model: Uint8Array, feeds: Record<string, Tensor>, ep: string, threads = 1): Promise<Tensor> {
  const s = await InferenceSession.create(model, { executionProviders: [ep], intraOpNumThreads: threads });
  const y = s.runSync(feeds)[s.outputNames[0]!] as Tensor;
  await s.release();
  return y;
}

/** wasm on 1 thread close to js; wasm on 2 threads identical to 1 thread. */
async function check(model: Uint8Array, feeds: Record<string, Tensor>, tol: Tolerance, what: string): Promise<void> {
  const ref = await run(model, feeds, 'js');
  const one = await run(model, feeds, 'wasm', 1);
  const two = await run(model, feeds, 'wasm', 2);
  assert.equal(compareTensors(one, ref, tol), undefined, what);
  assert.deepEqual(two.dims, one.dims, what);
  assert.ok(Buffer.from((one.data as Float32Array).buffer, (one.data as Float32Array).byteOffset, one.size * 4)
    .equals(Buffer.from((two.data as Float32Array).buffer, (two.data as Float32Array).byteOffset, two.size * 4)), `${what}: 2 threads differ from 1`);
}

type AxesMode = 'attr' | 'const' | 'feed' | 'none';

interface ReduceCase { op: string; dims: number[]; axes: number[]; mode: AxesMode; keepdims: number; noop: number }

/** A Reduce* model: axes as attribute (opset 11) or as input (opset 18), constant or fed. */
function reduceModel(c: ReduceCase): { model: Uint8Array; feeds: Record<string, Tensor> } {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.dims);
  const axesT = new Tensor('int64', BigInt64Array.from(c.axes.map(BigInt)), [c.axes.length]);
  const attrs: Record<string, AttrValue> = { keepdims: c.keepdims };
  const ins = ['x'];
  const feeds: Record<string, Tensor> = {};
  if (c.mode === 'attr') { if (c.axes.length) attrs.axes = c.axes; }
  else {
    if (c.noop) attrs.noop_with_empty_axes = 1;
    if (c.mode === 'const') { g.init('axes', axesT); ins.push('axes'); }
    if (c.mode === 'feed') { g.input('axes', 'int64', [c.axes.length]); ins.push('axes'); feeds.axes = axesT; }
  }
  g.node(c.op, ins, attrs, ['y']);
  g.output('y');
  const [lo, hi] = range(c.op);
  feeds.x = randomTensor('float32', c.dims, c.dims.length * 31 + c.axes.length + 7, lo, hi);
  return { model: g.build({ opset: c.mode === 'attr' ? 11 : 18 }), feeds };
}

function randomCase(op: string, r: () => number): ReduceCase {
  const rank = Math.floor(r() * 5);
  // Mostly small dims, sometimes 1, now and then 0 or a longer run.
  const dims = Array.from({ length: rank }, () => {
    const u = r();
    return u < 0.05 ? 0 : u < 0.25 ? 1 : u < 0.85 ? 1 + Math.floor(r() * 6) : 7 + Math.floor(r() * 40);
  });
  // Keep the reference's run short: halve the largest dim while there are over 100k elements.
  while (dims.reduce((p, d) => p * d, 1) > 100000) { const i = dims.indexOf(Math.max(...dims)); dims[i] = dims[i]! >> 1; }
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) if (r() < 0.45) axes.push(r() < 0.5 ? i - rank : i);
  const modes: AxesMode[] = ['attr', 'const', 'feed', 'none'];
  return { op, dims, axes, mode: modes[Math.floor(r() * 4)]!, keepdims: r() < 0.5 ? 1 : 0, noop: r() < 0.2 ? 1 : 0 };
}

describe('wasm reductions: planning', () => {
  it('folds reduced runs innermost first over [outer, red, inner] views', () => {
    const passes = (dims: number[], axes: number[]) => reducePasses(reduceLayout(dims, axes, true).runs);
    assert.deepEqual(passes([1, 128, 768], [2]), [{ outer: 128, red: 768, inner: 1 }]);
    assert.deepEqual(passes([4, 5, 6], [0]), [{ outer: 1, red: 4, inner: 30 }]);
    assert.deepEqual(passes([2, 3, 4, 5], [0, 2]), [{ outer: 6, red: 4, inner: 5 }, { outer: 1, red: 2, inner: 15 }]);
    assert.deepEqual(passes([2, 1, 3], [1]), [{ outer: 1, red: 1, inner: 6 }]);
    assert.deepEqual(passes([], []), [{ outer: 1, red: 1, inner: 1 }]);
  });
});

describe('wasm reductions: random shapes and axes against the reference', () => {
  for (const op of OPS) {
    it(op, async () => {
      const r = rng(op.length * 977 + op.charCodeAt(6));
      for (let i = 0; i < 14; i++) {
        const c = randomCase(op, r);
        const { model, feeds } = reduceModel(c);
        await check(model, feeds, TOL, JSON.stringify(c));
      }
    });
  }
});

describe('wasm reductions: fixed edge cases and sizes that split over threads', () => {
  const fixed: [number[], number[], number][] = [
    [[], [], 1], // scalar
    [[1], [0], 0], // single element
    [[3, 0, 4], [1], 1], // empty reduction: identity values
    [[3, 0, 4], [0], 0], // empty output
    [[2, 3, 4, 5], [0, 2], 0], // two separate reduced runs
    [[2, 3, 4, 5], [-1, -3], 1],
    [[1, 128, 768], [-1], 1], // rows: contiguous folds, split by rows
    [[1031, 67], [0], 0], // columns: one long fold per column, split by 8-column ranges
    [[3, 301, 97], [1], 1], // few rows, columns split
    [[7, 40, 33, 29], [0, 2], 0], // multi-pass, large
    [[70001], [], 0], // everything
  ];
  for (const op of OPS) {
    it(op, async () => {
      for (const [dims, axes, keepdims] of fixed) {
        const c: ReduceCase = { op, dims, axes, mode: 'const', keepdims, noop: 0 };
        const { model, feeds } = reduceModel(c);
        await check(model, feeds, dims.reduce((p, d) => p * d, 1) > 10000 ? LONG_TOL : TOL, JSON.stringify(c));
      }
    });
  }
  it('propagates NaN and infinities like the reference (max, min, log-sum-exp)', async () => {
    for (const op of ['ReduceMax', 'ReduceMin', 'ReduceLogSumExp', 'ReduceSum']) {
      for (const [dims, axes] of [[[5, 37], [1]], [[37, 11], [0]]] as [number[], number[]][]) {
        const { model, feeds } = reduceModel({ op, dims, axes, mode: 'const', keepdims: 1, noop: 0 });
        const d = feeds.x!.data as Float32Array;
        d[3] = NaN; d[40] = Infinity; d[41] = -Infinity; d[90] = -Infinity;
        for (let i = 111; i < 148; i++) d[i] = -Infinity;
        await check(model, feeds, TOL, `${op} ${JSON.stringify(dims)}`);
      }
    }
  });
});

describe('wasm InstanceNormalization and BatchNormalization', () => {
  const inst = (dims: number[]) => {
    const c = dims[1]!;
    const g = new GraphBuilder();
    g.input('x', 'float32', dims);
    g.init('s', randomTensor('float32', [c], 2));
    g.init('b', randomTensor('float32', [c], 3));
    g.node('InstanceNormalization', ['x', 's', 'b'], { epsilon: 1e-4 }, ['y']);
    g.output('y');
    return g.build({ opset: 11 });
  };
  for (const dims of [[2, 3, 5, 7], [1, 4, 1], [3, 2], [2, 5, 3, 2, 2], [1, 64, 33, 35]]) {
    it(`InstanceNormalization ${JSON.stringify(dims)}`, async () => {
      await check(inst(dims), { x: randomTensor('float32', dims, 9) }, TOL, JSON.stringify(dims));
    });
  }
  /** Normalisation parameters fed per run rather than stored as initializers. */
  const fedParams = (op: string, dims: number[], names: string[], attrs: Record<string, AttrValue>, opset: number) => {
    const g = new GraphBuilder();
    g.input('x', 'float32', dims);
    for (const n of names) g.input(n, 'float32', ['C']);
    g.node(op, ['x', ...names], attrs, ['y']);
    g.output('y');
    const feeds: Record<string, Tensor> = { x: randomTensor('float32', dims, 9) };
    names.forEach((n, i) => { feeds[n] = randomTensor('float32', [dims[1]!], 20 + i, n === 'v' ? 0.1 : -2, 2); });
    return { model: g.build({ opset }), feeds };
  };
  it('InstanceNormalization with scale and bias fed per run', async () => {
    for (const dims of [[2, 3, 5, 7], [1, 48, 40, 41]]) {
      const { model, feeds } = fedParams('InstanceNormalization', dims, ['s', 'b'], { epsilon: 1e-3 }, 11);
      await check(model, feeds, TOL, JSON.stringify(dims));
    }
  });
  it('BatchNormalization with parameters fed per run', async () => {
    for (const dims of [[2, 3, 5, 7], [1, 48, 40, 41]]) {
      const { model, feeds } = fedParams('BatchNormalization', dims, ['s', 'b', 'm', 'v'], { epsilon: 1e-3 }, 15);
      await check(model, feeds, TOL, JSON.stringify(dims));
    }
  });
  it('rejects parameters of the wrong size like the reference', async () => {
    const { model, feeds } = fedParams('InstanceNormalization', [2, 3, 4], ['s', 'b'], {}, 11);
    feeds.s = randomTensor('float32', [4], 1);
    for (const ep of ['js', 'wasm']) {
      const s = await InferenceSession.create(model, { executionProviders: [ep] });
      assert.throws(() => s.runSync(feeds), /scale must have 3 elements/);
      await s.release();
    }
  });

  const bn = (dims: number[], opset: number, after = false) => {
    const c = dims[1]!;
    const g = new GraphBuilder();
    g.input('x', 'float32', dims);
    g.init('s', randomTensor('float32', [c], 2));
    g.init('b', randomTensor('float32', [c], 3));
    g.init('m', randomTensor('float32', [c], 4));
    g.init('v', randomTensor('float32', [c], 5, 0.1, 2));
    let x = 'x';
    if (after) { g.node('Add', ['x', 'x'], {}, ['x2']); x = 'x2'; }
    g.node('BatchNormalization', [x, 's', 'b', 'm', 'v'], { epsilon: 1e-3 }, ['y']);
    g.output('y');
    return g.build({ opset });
  };
  for (const [dims, opset, after] of [[[2, 3, 5, 7], 15, false], [[4, 6], 9, false], [[1, 32, 67, 65], 15, true], [[2, 3, 4], 7, true]] as [number[], number, boolean][]) {
    it(`BatchNormalization ${JSON.stringify(dims)} opset ${opset}${after ? ' after Add' : ''}`, async () => {
      await check(bn(dims, opset, after), { x: randomTensor('float32', dims, 9) }, TOL, JSON.stringify(dims));
    });
  }
});
