/**
 * The wasm engine's data-movement kernels (Concat, Split, Slice, Pad, Gather) against the
 * reference backend on random shapes and parameters: bit-identical to js, and on 2 threads
 * bit-identical to 1 thread (some cases large enough to split over the pool). "Chained" cases
 * put engine kernels before and after the op, so its inputs and outputs stay engine-resident
 * (Concat, Split and Gather use the engine only then; unchained cases check their fallback).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

const rnd = (dims: number[], seed: number) => randomTensor('float32', dims, seed);
const i64 = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

/** Deterministic pseudo-random integers in [lo, hi]. */
function ints(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

async function runAll(model: Uint8Array, feeds: Record<string, Tensor>, ep: string, threads = 1): Promise<Tensor[]> {
  const s = await InferenceSession.create(model, { executionProviders: [ep], intraOpNumThreads: threads });
  const out = s.runSync(feeds);
  const ys = s.outputNames.map((n) => out[n] as Tensor);
  for (const y of ys) void y.data;
  await s.release();
  return ys;
}

const bytes = (t: Tensor) => Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength);

/** Every output on wasm (1 and 2 threads) equals js, bit for bit. */
async function check(model: Uint8Array, feeds: Record<string, Tensor>, what: string): Promise<void> {
  const ref = await runAll(model, feeds, 'js');
  for (const threads of [1, 2]) {
    const got = await runAll(model, feeds, 'wasm', threads);
    assert.equal(got.length, ref.length);
    got.forEach((y, i) => {
      assert.deepEqual(y.dims, ref[i]!.dims, `${what}: output ${i} dims on ${threads} thread(s)`);
      assert.equal(y.type, ref[i]!.type);
      if (y.type === 'float32') assert.ok(bytes(y).equals(bytes(ref[i]!)), `${what}: output ${i} differs on ${threads} thread(s)`);
      else assert.deepEqual(y.data, ref[i]!.data);
    });
  }
}

/**
 * A one-op model over float32 inputs xs (fed), extra inputs made by `extra`; with `chain`,
 * each input passes through an engine Add first and each output through one after.
 */
function model(op: string, xs: Record<string, number[]>, attrs: Record<string, AttrValue>, extra: (g: GraphBuilder) => string[], outputs: number, opset: number, chain: boolean): Uint8Array {
  const g = new GraphBuilder();
  const half = chain ? g.init('half', new Tensor('float32', [0.5], [])) : '';
  const names = Object.entries(xs).map(([n, d]) => {
    g.input(n, 'float32', d);
    return chain ? g.node('Add', [n, half])[0]! : n;
  });
  const ys = g.node(op, [...names, ...extra(g)], attrs, outputs);
  ys.forEach((y, i) => {
    if (chain) g.node('Add', [y, half], {}, [`out${i}`]);
    g.output(chain ? `out${i}` : y);
  });
  return g.build({ opset });
}

const feedsOf = (xs: Record<string, number[]>, seed: number) =>
  Object.fromEntries(Object.entries(xs).map(([n, d], i) => [n, rnd(d, seed + i)]));

describe('wasm Concat', () => {
  it('random ranks, axes (negative too), input counts and empty inputs', async () => {
    const r = ints(11);
    for (let c = 0; c < 14; c++) {
      const rank = r(1, 4);
      const base = Array.from({ length: rank }, () => r(1, 5));
      const axis = r(-rank, rank - 1);
      const ax = axis < 0 ? axis + rank : axis;
      const xs: Record<string, number[]> = {};
      const n = r(1, 4);
      for (let i = 0; i < n; i++) xs[`x${i}`] = base.map((d, k) => (k === ax ? r(0, 4) : d));
      await check(model('Concat', xs, { axis }, () => [], 1, 13, c % 4 !== 1), feedsOf(xs, c), `Concat ${JSON.stringify(xs)} axis ${axis}`);
    }
  });
  it('four [1,64,56,56] on the channel axis and two long runs on axis 0 (split over threads)', async () => {
    const four = { a: [1, 64, 56, 56], b: [1, 64, 56, 56], c: [1, 64, 56, 56], d: [1, 64, 56, 56] };
    await check(model('Concat', four, { axis: 1 }, () => [], 1, 13, true), feedsOf(four, 1), 'Concat 4×[1,64,56,56]');
    const two = { a: [70001], b: [3] };
    await check(model('Concat', two, { axis: 0 }, () => [], 1, 13, true), feedsOf(two, 2), 'Concat [70001]+[3]');
    const rows = { a: [3, 40000], b: [3, 3] };
    await check(model('Concat', rows, { axis: -1 }, () => [], 1, 13, true), feedsOf(rows, 3), 'Concat [3,40000]+[3,3]');
  });
  it('one engine-resident input beside a fed one', async () => {
    const g = new GraphBuilder();
    g.input('a', 'float32', [2, 3, 5]);
    g.input('b', 'float32', [2, 4, 5]);
    const [r] = g.node('Relu', ['a']);
    g.node('Concat', ['b', r!], { axis: -2 }, ['y']);
    g.output('y');
    await check(g.build({ opset: 13 }), { a: rnd([2, 3, 5], 1), b: rnd([2, 4, 5], 2) }, 'Concat resident + fed');
  });
  it('twelve resident inputs, and twelve resident outputs, live at once', async () => {
    const xs = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`x${i}`, [2, 3]]));
    await check(model('Concat', xs, { axis: 0 }, () => [], 1, 13, true), feedsOf(xs, 21), 'Concat of 12');
    const one = { x: [12, 5] };
    await check(model('Split', one, { axis: 0, num_outputs: 12 }, () => [], 12, 18, true), feedsOf(one, 22), 'Split into 12');
  });
  it('a constant input, and int64 inputs (reference kernel)', async () => {
    const xs = { x: [2, 3, 4] };
    await check(model('Concat', xs, { axis: 1 }, (g) => [g.init('k', rnd([2, 5, 4], 9))], 1, 13, true), feedsOf(xs, 4), 'Concat with a constant');
    const g = new GraphBuilder();
    g.input('a', 'int64', [2]);
    g.node('Concat', ['a', g.init('b', i64([5, 6, 7]))], { axis: 0 }, ['y']);
    g.output('y');
    await check(g.build({ opset: 13 }), { a: i64([1, 2]) }, 'Concat int64');
  });
});

describe('wasm Split', () => {
  it('random shapes: sizes input (13), attribute (2, 11), num_outputs (18, uneven), equal parts', async () => {
    const r = ints(22);
    for (let c = 0; c < 16; c++) {
      const rank = r(1, 4);
      const dims = Array.from({ length: rank }, () => r(1, 6));
      const axis = r(-rank, rank - 1);
      const ax = axis < 0 ? axis + rank : axis;
      const n = r(1, 3);
      const sizes = Array.from({ length: n }, () => r(0, 3));
      dims[ax] = sizes.reduce((a, b) => a + b, 0);
      const xs = { x: dims };
      const chain = c % 8 !== 3;
      const form = c % 4;
      const what = `Split ${JSON.stringify(dims)} axis ${axis} form ${form}`;
      if (form === 0) await check(model('Split', xs, { axis }, (g) => [g.init('s', i64(sizes))], n, 13, chain), feedsOf(xs, c), what);
      else if (form === 1) await check(model('Split', xs, { axis, split: sizes }, () => [], n, c % 8 === 1 ? 2 : 11, chain), feedsOf(xs, c), what);
      else if (form === 2) await check(model('Split', xs, { axis, num_outputs: n }, () => [], n, 18, chain), feedsOf(xs, c), what);
      else {
        dims[ax] = n * r(0, 3);
        await check(model('Split', xs, { axis }, () => [], n, 13, chain), feedsOf(xs, c), what);
      }
    }
  });
  it('a large split on an inner axis and on axis 0 (split over threads)', async () => {
    const xs = { x: [2, 96, 40, 40] };
    await check(model('Split', xs, { axis: 1 }, (g) => [g.init('s', i64([32, 64]))], 2, 13, true), feedsOf(xs, 5), 'Split [2,96,40,40]');
    const flat = { x: [150000] };
    await check(model('Split', flat, { axis: 0, num_outputs: 3 }, () => [], 3, 18, true), feedsOf(flat, 6), 'Split [150000]');
  });
});

describe('wasm Slice', () => {
  it('random starts/ends/axes/steps, negative steps and axes, clamped bounds', async () => {
    const r = ints(33);
    for (let c = 0; c < 24; c++) {
      const rank = r(1, 6);
      const dims = Array.from({ length: rank }, () => r(1, 6));
      const k = r(1, rank);
      const axes: number[] = [];
      while (axes.length < k) {
        const a = r(0, rank - 1);
        if (!axes.includes(a)) axes.push(a);
      }
      const starts = axes.map((a) => r(-dims[a]! - 2, dims[a]! + 2));
      const ends = axes.map((a) => r(-dims[a]! - 2, dims[a]! + 2));
      const steps = axes.map(() => (r(0, 1) ? 1 : -1) * r(1, 3));
      const neg = axes.map((a) => (r(0, 1) ? a - rank : a));
      const xs = { x: dims };
      const what = `Slice ${JSON.stringify({ dims, starts, ends, neg, steps })}`;
      await check(model('Slice', xs, {}, (g) => [g.init('s', i64(starts)), g.init('e', i64(ends)), g.init('a', i64(neg)), g.init('p', i64(steps))], 1, 13, c % 2 === 0), feedsOf(xs, c), what);
    }
  });
  it('Slice-1 attributes, int64 extremes, and large views (split over threads)', async () => {
    const xs = { x: [3, 7, 9] };
    await check(model('Slice', xs, { starts: [1, -3], ends: [1000, 9], axes: [2, 1] }, () => [], 1, 9, true), feedsOf(xs, 7), 'Slice-1');
    const big = { x: [1, 64, 56, 56] };
    const inner = (g: GraphBuilder) => [g.init('s', i64([1, 2])), g.init('e', i64([55, 54])), g.init('a', i64([2, 3]))];
    await check(model('Slice', big, {}, inner, 1, 13, true), feedsOf(big, 8), 'Slice crop [1,64,56,56]');
    const rev = (g: GraphBuilder) => [g.init('s', i64([-1, 60])), g.init('e', i64([-1e18, 2])), g.init('a', i64([1, 3])), g.init('p', i64([-1, -2]))];
    await check(model('Slice', big, {}, rev, 1, 13, false), feedsOf(big, 9), 'Slice reversed [1,64,56,56]');
    const rows = { x: [200000, 2] };
    await check(model('Slice', rows, {}, (g) => [g.init('s', i64([0])), g.init('e', i64([1])), g.init('a', i64([1]))], 1, 13, false), feedsOf(rows, 10), 'Slice column');
    const five = { x: [3, 4, 5, 6, 7, 8] };
    const odd = (g: GraphBuilder) => [g.init('s', i64([0, 0, 0, 0, 0])), g.init('e', i64([4, 5, 6, 7, 8])), g.init('a', i64([1, 2, 3, 4, 5])), g.init('p', i64([2, 2, 2, 2, 2]))];
    await check(model('Slice', five, {}, odd, 1, 13, true), feedsOf(five, 11), 'Slice six dims, all strided');
  });
});

describe('wasm Pad', () => {
  const modes = ['constant', 'reflect', 'edge', 'wrap'];
  it('random pads in every mode: negative pads, pads larger than the axis, axes input', async () => {
    const r = ints(44);
    for (let c = 0; c < 28; c++) {
      const mode = modes[c % 4]!;
      const rank = r(1, 4);
      const dims = Array.from({ length: rank }, () => r(1, 5));
      const useAxes = c % 3 === 0;
      const axes = useAxes ? Array.from({ length: rank }, (_, i) => i).filter(() => r(0, 1) === 1) : [];
      const which = useAxes ? axes : dims.map((_, i) => i);
      // Reflect cannot pad an axis of size 1 past itself in the reference; bounds keep outputs non-negative.
      const pad = (a: number) => Math.max(r(-2, mode === 'constant' || mode === 'edge' ? 4 : 2 * dims[a]! + 1), -Math.floor(dims[a]! / 2));
      const pads = [...which.map(pad), ...which.map(pad)];
      const xs = { x: dims };
      const what = `Pad ${mode} ${JSON.stringify({ dims, pads, axes: useAxes ? axes : undefined })}`;
      const extra = (g: GraphBuilder) => [g.init('p', i64(pads)), mode === 'constant' ? g.init('v', new Tensor('float32', [-1.25], [])) : '', ...(useAxes ? [g.init('a', i64(axes.map((a) => (r(0, 1) ? a - rank : a))))] : [])];
      await check(model('Pad', xs, { mode }, extra, 1, 19, c % 2 === 1), feedsOf(xs, c), what);
    }
  });
  it('Pad-2 attributes, empty outputs, and large pads (split over threads)', async () => {
    const xs = { x: [2, 3, 4] };
    await check(model('Pad', xs, { pads: [0, 1, -1, 0, 2, 3], mode: 'constant', value: 2.5 }, () => [], 1, 2, true), feedsOf(xs, 12), 'Pad-2');
    await check(model('Pad', xs, { pads: [0, -3, 0, 0, 0, 0], mode: 'constant', value: 0 }, () => [], 1, 2, false), feedsOf(xs, 13), 'Pad to empty');
    const big = { x: [1, 64, 56, 56] };
    for (const mode of modes) {
      await check(model('Pad', big, { mode }, (g) => [g.init('p', i64([0, 0, 3, 2, 0, 0, 1, 4]))], 1, 19, mode !== 'edge'), feedsOf(big, 14), `Pad ${mode} [1,64,56,56]`);
    }
  });
});

describe('wasm Gather', () => {
  it('random axes (negative too), int32/int64 indices with negatives, scalar and empty indices', async () => {
    const r = ints(55);
    for (let c = 0; c < 20; c++) {
      const rank = r(1, 4);
      const dims = Array.from({ length: rank }, () => r(1, 5));
      const axis = r(-rank, rank - 1);
      const d = dims[axis < 0 ? axis + rank : axis]!;
      const irank = r(0, 2);
      const idims = Array.from({ length: irank }, () => r(c === 3 ? 0 : 1, 3));
      const n = idims.reduce((a, b) => a * b, 1);
      const vals = Array.from({ length: n }, () => r(-d, d - 1));
      const type = c % 2 ? 'int32' : 'int64';
      const ind = type === 'int64' ? new Tensor('int64', BigInt64Array.from(vals.map(BigInt)), idims) : new Tensor('int32', Int32Array.from(vals), idims);
      const xs = { x: dims };
      await check(model('Gather', xs, { axis }, (g) => [g.init('i', ind)], 1, 13, c % 4 !== 1), feedsOf(xs, c), `Gather ${JSON.stringify({ dims, axis, idims, vals })}`);
    }
  });
  it('a constant embedding table with fed ids, and large gathers (split over threads)', async () => {
    const g = new GraphBuilder();
    g.input('ids', 'int64', [2, 7]);
    g.node('Gather', [g.init('table', rnd([50, 32], 15)), 'ids'], { axis: 0 }, ['y']);
    g.output('y');
    const ids = new Tensor('int64', BigInt64Array.from({ length: 14 }, (_, i) => BigInt(((i * 7) % 50) - (i % 3 ? 0 : 50))), [2, 7]);
    await check(g.build({ opset: 13 }), { ids }, 'Gather embedding');
    const big = { x: [4, 300, 257] };
    const idx = new Tensor('int64', BigInt64Array.from({ length: 200 }, (_, i) => BigInt((i * 37) % 300 - 150)), [200]);
    await check(model('Gather', big, { axis: 1 }, (b) => [b.init('i', idx)], 1, 13, true), feedsOf(big, 16), 'Gather rows');
    const cols = new Tensor('int32', Int32Array.from({ length: 300 }, (_, i) => (i * 13) % 257 - 100), [300]);
    await check(model('Gather', big, { axis: -1 }, (b) => [b.init('i', cols)], 1, 13, true), feedsOf(big, 17), 'Gather scalars');
  });
  it('an out-of-range index raises the typed error', async () => {
    const s = await InferenceSession.create(model('Gather', { x: [3, 4] }, { axis: 0 }, (g) => [g.init('i', i64([3]))], 1, 13, false), { executionProviders: ['wasm'] });
    assert.throws(() => s.runSync({ x: rnd([3, 4], 1) }), /out of range/);
    await s.release();
  });
});
