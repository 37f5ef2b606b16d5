/**
 * The wasm engine's depthwise Conv kernel (group = C) against the reference backend on many
 * shapes: 3×3 stride 1 (two output rows per pass, odd heights), stride 2 (column-parity split
 * planes), other kernels and strides, dilations, asymmetric pads, odd widths and widths < 8,
 * 1–3 channels, bias or none, fused Relu/Clip; and 2 threads equal to 1 thread bit for bit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/tensor.js';
import { compareTensors } from '../helpers/compare.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';
import { appendActivation, runFirst } from '../helpers/wasm-check.js';

const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => randomTensor('float32', dims, seed, lo, hi);

interface DwCase {
  /** [N, C, H, W]. */
  x: number[];
  k: [number, number];
  attrs?: Record<string, AttrValue>;
  bias?: boolean;
  act?: 'Relu' | 'Clip';
}

function model(c: DwCase): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const C = c.x[1]!;
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const ins = ['x', g.init('w', rnd([C, 1, ...c.k], 5))];
  if (c.bias) ins.push(g.init('b', rnd([C], 6)));
  g.node('Conv', ins, { group: C, ...(c.attrs ?? {}) }, ['c']);
  let y = 'c';
  y = appendActivation(g, y, c.act);
  g.output(y);
  return { bytes: g.build({ opset: 17 }), feeds: { x: rnd(c.x, 3, -2, 2) } };
}

const label = (c: DwCase) => `x${JSON.stringify(c.x)} k${c.k.join('×')} ${JSON.stringify(c.attrs ?? {})}${c.bias ? ' +bias' : ''}${c.act ? ` → ${c.act}` : ''}`;

const CASES: DwCase[] = [
  // 3×3 stride 1: even and odd output heights, widths < 8, odd, multiples of 8.
  { x: [1, 3, 9, 9], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { x: [1, 2, 6, 5], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, act: 'Relu' },
  { x: [1, 1, 7, 3], k: [3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { x: [1, 4, 14, 14], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, act: 'Clip' },
  { x: [1, 5, 16, 24], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { x: [1, 3, 11, 13], k: [3, 3] },
  { x: [1, 2, 10, 9], k: [3, 3], attrs: { pads: [0, 2, 1, 0] } },
  { x: [1, 3, 12, 17], k: [3, 3], attrs: { pads: [2, 2, 2, 2], dilations: [2, 2] }, bias: true },
  { x: [1, 2, 12, 12], k: [3, 3], attrs: { pads: [1, 2, 1, 2], dilations: [1, 2] } },
  { x: [1, 2, 13, 12], k: [3, 3], attrs: { pads: [2, 1, 2, 1], dilations: [2, 1] } },
  // 3×3 stride 2: split planes; odd sizes, asymmetric and no pads, widths < 8, row stride 1 or 3.
  { x: [1, 3, 9, 9], k: [3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { x: [1, 4, 56, 56], k: [3, 3], attrs: { strides: [2, 2], pads: [0, 0, 1, 1] }, bias: true, act: 'Clip' },
  { x: [1, 2, 14, 14], k: [3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, act: 'Relu' },
  { x: [1, 1, 5, 4], k: [3, 3], attrs: { strides: [2, 2], pads: [1, 0, 0, 1] } },
  { x: [1, 3, 20, 37], k: [3, 3], attrs: { strides: [2, 2] } },
  { x: [1, 2, 15, 33], k: [3, 3], attrs: { strides: [1, 2], pads: [1, 1, 1, 1] } },
  { x: [1, 2, 19, 21], k: [3, 3], attrs: { strides: [3, 2], pads: [1, 2, 1, 0], dilations: [2, 1] } },
  { x: [1, 2, 15, 15], k: [3, 3], attrs: { strides: [2, 2], pads: [2, 2, 2, 2], dilations: [2, 2] } },
  // Other strides and kernels.
  { x: [1, 3, 13, 14], k: [3, 3], attrs: { strides: [3, 3], pads: [1, 1, 1, 1] } },
  { x: [1, 2, 12, 12], k: [5, 5], attrs: { pads: [2, 2, 2, 2] }, bias: true },
  { x: [1, 3, 17, 19], k: [5, 5], attrs: { strides: [2, 2], pads: [2, 1, 2, 1] } },
  { x: [1, 2, 10, 11], k: [1, 3], attrs: { pads: [0, 1, 0, 1] } },
  { x: [1, 2, 9, 7], k: [2, 2], attrs: { strides: [2, 1] } },
  // Batches go through the per-image copy path.
  { x: [2, 3, 10, 10], k: [3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { x: [2, 3, 9, 10], k: [3, 3], attrs: { pads: [1, 1, 1, 1] } },
];

describe('wasm depthwise conv', () => {
  for (const c of CASES) {
    it(label(c), async () => {
      const { bytes, feeds } = model(c);
      const ref = await runFirst(bytes, feeds, 'js'), got = await runFirst(bytes, feeds, 'wasm');
      assert.deepEqual(got.dims, ref.dims);
      assert.equal(compareTensors(got, ref, { rtol: 1e-4, atol: 1e-5 }), undefined);
    });
  }

  // Sizes above the split threshold (CONV_MIN_WORK) so channel ranges go to both threads.
  const THREADED: DwCase[] = [
    { x: [1, 96, 56, 56], k: [3, 3], attrs: { strides: [2, 2], pads: [0, 0, 1, 1] }, bias: true, act: 'Clip' },
    { x: [1, 144, 28, 28], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, act: 'Relu' },
    { x: [1, 384, 14, 14], k: [3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
    { x: [1, 960, 7, 7], k: [3, 3], attrs: { pads: [1, 1, 1, 1] } },
  ];
  for (const c of THREADED) {
    it(`2 threads = 1 thread: ${label(c)}`, async () => {
      const { bytes, feeds } = model(c);
      const one = await runFirst(bytes, feeds, 'wasm', 1), two = await runFirst(bytes, feeds, 'wasm', 2);
      assert.deepEqual(Array.from(two.data as Float32Array), Array.from(one.data as Float32Array));
      const ref = await runFirst(bytes, feeds, 'js');
      assert.equal(compareTensors(one, ref, { rtol: 1e-4, atol: 1e-5 }), undefined);
    });
  }
});
