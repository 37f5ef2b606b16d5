/**
 * Per-op timing of the wasm engine kernels against the js reference kernels
 * (one-node models, copy in/out included): median of repeated runs.
 * Usage: node --import tsx bench/wasm-kernels.ts [filter]
 */
import { InferenceSession } from '../src/runtime/session.js';
import { Tensor } from '../src/tensor.js';
import { GraphBuilder, type AttrValue } from '../test/helpers/onnx-builder.js';

function rand(dims: number[], seed: number, lo = -3, hi = 3): Tensor {
  let s = seed >>> 0;
  const n = dims.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = lo + ((hi - lo) * s) / 2 ** 32; }
  return new Tensor('float32', d, dims);
}

interface Case { name: string; op: string; x: number[]; attrs?: Record<string, AttrValue>; consts?: Tensor[]; feeds?: Tensor[]; opset?: number }

const X = [1, 64, 112, 112];
const cases: Case[] = [
  { name: 'DW Conv 3x3 s1 [1,32,112,112]', op: 'Conv', x: [1, 32, 112, 112], attrs: { group: 32, pads: [1, 1, 1, 1] }, consts: [rand([32, 1, 3, 3], 2), rand([32], 3)] },
  { name: 'DW Conv 3x3 s2 [1,96,112,112]', op: 'Conv', x: [1, 96, 112, 112], attrs: { group: 96, pads: [1, 1, 1, 1], strides: [2, 2] }, consts: [rand([96, 1, 3, 3], 2), rand([96], 3)] },
  { name: 'DW Conv 3x3 s1 [1,576,14,14]', op: 'Conv', x: [1, 576, 14, 14], attrs: { group: 576, pads: [1, 1, 1, 1] }, consts: [rand([576, 1, 3, 3], 2), rand([576], 3)] },
  { name: 'DW Conv 5x5 s1 [1,240,28,28]', op: 'Conv', x: [1, 240, 28, 28], attrs: { group: 240, pads: [2, 2, 2, 2] }, consts: [rand([240, 1, 5, 5], 2), rand([240], 3)] },
  { name: 'MaxPool 3x3 s2 p1 [1,64,112,112]', op: 'MaxPool', x: X, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'MaxPool 2x2 s2 [1,64,112,112]', op: 'MaxPool', x: X, attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: 'AveragePool 3x3 s1 p1 [1,64,112,112]', op: 'AveragePool', x: X, attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  { name: 'GlobalAveragePool [1,64,112,112]', op: 'GlobalAveragePool', x: X },
  { name: 'GlobalAveragePool [1,2048,7,7]', op: 'GlobalAveragePool', x: [1, 2048, 7, 7] },
  { name: 'Add same shape', op: 'Add', x: X, feeds: [rand(X, 5)] },
  { name: 'Add per-channel const [64,1,1]', op: 'Add', x: X, consts: [rand([64, 1, 1], 5)] },
  { name: 'Mul scalar const', op: 'Mul', x: X, consts: [rand([], 5)] },
  { name: 'Div same shape', op: 'Div', x: X, feeds: [rand(X, 5, 0.5, 2)] },
  { name: 'Relu', op: 'Relu', x: X },
  { name: 'LeakyRelu', op: 'LeakyRelu', x: X, attrs: { alpha: 0.1 } },
  { name: 'Clip [0,6]', op: 'Clip', x: X, consts: [new Tensor('float32', [0], []), new Tensor('float32', [6], [])], opset: 13 },
  { name: 'HardSigmoid', op: 'HardSigmoid', x: X },
  { name: 'HardSwish', op: 'HardSwish', x: X, opset: 14 },
  { name: 'Sigmoid', op: 'Sigmoid', x: X },
  { name: 'Tanh', op: 'Tanh', x: X },
  { name: 'Exp', op: 'Exp', x: X },
  { name: 'Erf', op: 'Erf', x: X },
  { name: 'Gelu (erf) [1,128,3072]', op: 'Gelu', x: [1, 128, 3072], opset: 20 },
  { name: 'Softmax [12,128,128]', op: 'Softmax', x: [1, 12, 128, 128], opset: 13 },
  { name: 'LayerNorm [1,128,768]', op: 'LayerNormalization', x: [1, 128, 768], consts: [rand([768], 6, 0.5, 1.5), rand([768], 7)] },
];

async function time(s: InferenceSession, feeds: Record<string, Tensor>, reps: number): Promise<number> {
  for (let i = 0; i < 10; i++) await s.run(feeds);
  const t: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); await s.run(feeds); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

const filter = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
console.log('| kernel | js ms | wasm ms | speed-up |\n| --- | ---: | ---: | ---: |');
for (const c of cases) {
  if (filter && !filter.test(c.name)) continue;
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const ins = ['x'];
  const feeds: Record<string, Tensor> = { x: rand(c.x, 1) };
  c.consts?.forEach((t, i) => ins.push(g.init(`c${i}`, t)));
  c.feeds?.forEach((t, i) => { ins.push(g.input(`f${i}`, 'float32', [...t.dims])); feeds[`f${i}`] = t; });
  g.node(c.op, ins, c.attrs ?? {}, ['y']);
  g.output('y');
  const model = g.build({ opset: c.opset ?? 17 });
  const js = await InferenceSession.create(model, { executionProviders: ['js'] });
  const wasm = await InferenceSession.create(model, { executionProviders: ['wasm'] });
  const reps = 21;
  const a = await time(js, feeds, reps), b = await time(wasm, feeds, reps);
  console.log(`| ${c.name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(a / b).toFixed(2)}× |`);
}
