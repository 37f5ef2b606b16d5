/**
 * The wasm engine's depthwise, pooling, elementwise and normalisation kernels
 * against the reference backend, on random shapes with odd sizes and SIMD tails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from '../helpers/compare.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

const TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };

async function both(model: Uint8Array, feeds: Record<string, Tensor>): Promise<[Tensor, Tensor]> {
  const js = await InferenceSession.create(model, { executionProviders: ['js'] });
  const wasm = await InferenceSession.create(model, { executionProviders: ['wasm'] });
  const name = js.outputNames[0]!;
  return [(await js.run(feeds))[name]!, (await wasm.run(feeds))[name]!];
}

interface Case {
  op: string;
  x: number[];
  attrs?: Record<string, AttrValue>;
  /** Extra inputs: constant initializers, or graph inputs fed at run time. */
  consts?: Tensor[];
  feeds?: Tensor[];
  opset?: number;
  after?: string;
  tol?: Tolerance;
  range?: [number, number];
}

async function check(c: Case, seed = 7): Promise<void> {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const ins = ['x'];
  const feeds: Record<string, Tensor> = { x: randomTensor('float32', c.x, seed, ...(c.range ?? [-3, 3])) };
  c.consts?.forEach((t, i) => ins.push(t.size ? g.init(`c${i}`, t) : ''));
  c.feeds?.forEach((t, i) => { ins.push(g.input(`f${i}`, 'float32', [...t.dims])); feeds[`f${i}`] = t; });
  const [y] = g.node(c.op, ins, c.attrs ?? {}, [c.after ? 't' : 'y']);
  if (c.after) g.node(c.after, [y!], {}, ['y']);
  g.output('y');
  const [ref, got] = await both(g.build({ opset: c.opset ?? 17 }), feeds);
  assert.equal(compareTensors(got, ref, c.tol ?? TOL), undefined);
}

const rnd = (dims: number[], seed: number, lo = -3, hi = 3) => randomTensor('float32', dims, seed, lo, hi);

describe('wasm kernels: depthwise Conv', () => {
  const cases: [number[], number, Record<string, AttrValue>, boolean][] = [
    [[1, 8, 13, 17], 3, { pads: [1, 1, 1, 1] }, true],
    [[2, 5, 12, 11], 3, { pads: [1, 1, 1, 1], strides: [2, 2] }, false],
    [[1, 4, 9, 23], 3, { pads: [0, 2, 1, 0], strides: [1, 2], dilations: [2, 1] }, true],
    [[1, 6, 15, 15], 5, { pads: [2, 2, 2, 2] }, true],
    [[1, 3, 10, 21], 5, { pads: [2, 1, 2, 2], strides: [2, 3] }, true],
    [[1, 7, 8, 7], 3, { auto_pad: 'SAME_UPPER', strides: [2, 2] }, true],
    [[1, 16, 3, 3], 3, {}, true],
    [[1, 4, 6, 33], 7, { pads: [3, 3, 3, 3], dilations: [1, 3] }, false],
    [[1, 2, 5, 5], 1, { strides: [2, 2] }, true],
  ];
  for (const [x, k, attrs, bias] of cases) {
    for (const after of [undefined, 'Relu']) {
      it(`x${JSON.stringify(x)} k${k} ${JSON.stringify(attrs)}${bias ? ' +bias' : ''}${after ? ' → Relu' : ''}`, async () => {
        const C = x[1]!;
        const consts = [rnd([C, 1, k, k], 11)];
        if (bias) consts.push(rnd([C], 12));
        await check({ op: 'Conv', x, attrs: { group: C, ...attrs }, consts, after });
      });
    }
  }
});

describe('wasm kernels: pools', () => {
  const cases: [string, number[], Record<string, AttrValue>][] = [
    ['MaxPool', [1, 3, 13, 17], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['MaxPool', [2, 4, 8, 8], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['MaxPool', [1, 2, 11, 10], { kernel_shape: [3, 2], strides: [2, 3], ceil_mode: 1 }],
    ['MaxPool', [1, 2, 9, 19], { kernel_shape: [3, 3], dilations: [2, 2], pads: [1, 2, 0, 1] }],
    ['MaxPool', [1, 3, 7, 7], { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER' }],
    ['AveragePool', [1, 3, 13, 17], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['AveragePool', [1, 3, 13, 17], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }],
    ['AveragePool', [1, 2, 11, 10], { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1, pads: [1, 0, 1, 1] }],
    ['AveragePool', [2, 5, 7, 7], { kernel_shape: [7, 7] }],
    ['AveragePool', [1, 2, 10, 30], { kernel_shape: [2, 5], strides: [1, 4], count_include_pad: 1, pads: [0, 2, 1, 2], ceil_mode: 1 }],
  ];
  for (const [op, x, attrs] of cases) {
    it(`${op} x${JSON.stringify(x)} ${JSON.stringify(attrs)}`, () => check({ op, x, attrs, opset: 19 }));
  }
  for (const x of [[1, 8, 7, 7], [2, 3, 13, 5], [1, 5, 1, 1], [1, 2, 17]]) {
    it(`GlobalAveragePool x${JSON.stringify(x)}`, () => check({ op: 'GlobalAveragePool', x }));
  }
});

describe('wasm kernels: unary', () => {
  const shapes = [[1, 3, 5, 7], [37], [2, 64], [1, 1]];
  const ops: [string, Record<string, AttrValue>?, number?][] = [
    ['Relu'], ['LeakyRelu', { alpha: 0.1 }], ['HardSigmoid', { alpha: 0.3, beta: 0.4 }], ['HardSwish', {}, 14],
    ['Sigmoid'], ['Tanh'], ['Exp'], ['Erf'], ['Gelu', {}, 20], ['Gelu', { approximate: 'tanh' }, 20],
  ];
  for (const [op, attrs, opset] of ops) {
    for (const x of shapes) {
      it(`${op} ${JSON.stringify(attrs ?? {})} x${JSON.stringify(x)}`, () => check({ op, x, attrs, opset, range: [-8, 8] }));
    }
  }
  it('Clip with constant bounds (opset 13) and attribute bounds (opset 6)', async () => {
    await check({ op: 'Clip', x: [3, 37], consts: [new Tensor('float32', [-1], []), new Tensor('float32', [2.5], [])], opset: 13 });
    await check({ op: 'Clip', x: [3, 37], consts: [new Tensor('float32', [], [0]), new Tensor('float32', [0.5], [])], opset: 13 });
    await check({ op: 'Clip', x: [3, 37], feeds: [new Tensor('float32', [0], [])], opset: 13 });
    await check({ op: 'Clip', x: [5, 9], attrs: { min: -0.5, max: 6 }, opset: 6 });
  });

  // Relative accuracy of the vector exp/sigmoid/tanh/erf against the float64 formulas.
  const accuracy: [string, [number, number], number?][] = [['Exp', [-87, 88]], ['Sigmoid', [-80, 30]], ['Tanh', [-12, 12]], ['Erf', [-6, 6], 9], ['Exp', [-1e-3, 1e-3]], ['Tanh', [-0.7, 0.7]]];
  for (const [op, range, opset] of accuracy) {
    it(`${op} relative error ≤ 1e-6 on [${range.join(', ')}]`, () => check({ op, x: [4099], range, opset, tol: { rtol: 1e-6, atol: 1e-37 } }));
  }
  it('Exp, Sigmoid, Tanh, Erf at ±Inf and NaN', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [5]);
    for (const op of ['Exp', 'Sigmoid', 'Tanh', 'Erf', 'Relu']) g.node(op, ['x'], {}, [op]);
    for (const op of ['Exp', 'Sigmoid', 'Tanh', 'Erf', 'Relu']) g.output(op);
    const x = new Tensor('float32', [Infinity, -Infinity, NaN, 0, -0], [5]);
    const wasm = await InferenceSession.create(g.build(), { executionProviders: ['wasm'] });
    const js = await InferenceSession.create(g.build(), { executionProviders: ['js'] });
    const [a, b] = [await wasm.run({ x }), await js.run({ x })];
    for (const k of Object.keys(b)) assert.equal(compareTensors(a[k]!, b[k]!, { rtol: 0, atol: 1e-30 }), undefined, k);
  });
});

describe('wasm kernels: binary', () => {
  const cases: [number[], number[], boolean][] = [
    [[1, 3, 5, 7], [1, 3, 5, 7], false],
    [[2, 4, 6, 5], [], true],
    [[2, 4, 6, 5], [4, 1, 1], true],
    [[2, 4, 6, 5], [2, 4, 1, 1], false],
    [[3, 7, 13], [13], true],
    [[13], [3, 7, 13], false],
    [[5, 1], [1, 6], false],
    [[1], [2, 9], false],
    [[2, 3, 4, 5, 6], [3, 1, 5, 1], false],
  ];
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    for (const [a, b, constB] of cases) {
      it(`${op} ${JSON.stringify(a)} ${JSON.stringify(b)}${constB ? ' (B constant)' : ''}`, () => {
        const bt = rnd(b, 21, 0.5, 2);
        return check(constB ? { op, x: a, consts: [bt] } : { op, x: a, feeds: [bt] });
      });
    }
  }
});

describe('wasm kernels: Softmax and LayerNormalization', () => {
  for (const [x, axis, opset] of [[[2, 3, 37], -1, 13], [[4, 1000], 1, 11], [[5, 3], -1, 13], [[2, 6, 64], 1, 13], [[7], 0, 13]] as [number[], number, number][]) {
    it(`Softmax x${JSON.stringify(x)} axis ${axis} opset ${opset}`, () => check({ op: 'Softmax', x, attrs: { axis }, opset, range: [-20, 20] }));
  }
  for (const [x, bias] of [[[2, 5, 64], true], [[3, 37], false], [[1, 4, 768], true], [[6, 3], true]] as [number[], boolean][]) {
    it(`LayerNormalization x${JSON.stringify(x)}${bias ? ' +bias' : ''}`, () => {
      const n = x[x.length - 1]!;
      const consts = [rnd([n], 31, 0.5, 1.5)];
      if (bias) consts.push(rnd([n], 32));
      return check({ op: 'LayerNormalization', x, attrs: { epsilon: 1e-5 }, consts });
    });
  }
});
