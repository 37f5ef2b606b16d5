/**
 * The engine's Resize / Upsample (nearest gather of any rank; linear, cubic, antialiased
 * resampling of the last two axes) against the reference kernel, for every mode, nearest_mode,
 * coordinate_transformation_mode, exclude_outside, extrapolation, scales / sizes / axes /
 * keep_aspect_ratio_policy and the Resize-10 / Upsample forms, on 1 and 2 threads (bit for bit
 * equal); plus onnxruntime-node on a few models.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { wasmMatchesReference } from '../helpers/wasm-check.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';

const f32 = (v: number[]) => new Tensor('float32', Float32Array.from(v), [v.length]);
const i64 = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

interface Case {
  name: string;
  x: number[];
  attrs?: Record<string, AttrValue>;
  scales?: number[];
  sizes?: number[];
  roi?: number[];
  opset?: number;
  /** 'Upsample' (opset 9) takes (X, scales). */
  op?: 'Resize' | 'Upsample';
}

function model(c: Case): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const opset = c.opset ?? 19;
  let ins: string[];
  if (c.op === 'Upsample' || opset < 11) ins = ['x', g.init('scales', f32(c.scales!))];
  else {
    ins = ['x', c.roi ? g.init('roi', f32(c.roi)) : '', c.scales ? g.init('scales', f32(c.scales)) : ''];
    if (c.sizes) ins.push(g.init('sizes', i64(c.sizes)));
  }
  g.node(c.op ?? 'Resize', ins, c.attrs ?? {}, ['y']);
  g.output('y');
  return g.build({ opset });
}

const COORDS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const cases: Case[] = [];
for (const nearest of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
  for (const coord of COORDS) {
    cases.push({ name: `nearest ${nearest} ${coord} up`, x: [1, 3, 5, 7], scales: [1, 1, 2.5, 1.5], attrs: { mode: 'nearest', nearest_mode: nearest, coordinate_transformation_mode: coord } });
  }
  cases.push({ name: `nearest ${nearest} down`, x: [2, 3, 9, 11], scales: [1, 1, 0.6, 0.45], attrs: { mode: 'nearest', nearest_mode: nearest } });
}
for (const mode of ['linear', 'cubic']) {
  for (const coord of COORDS) {
    cases.push({ name: `${mode} ${coord} up`, x: [1, 3, 6, 5], scales: [1, 1, 2, 3], attrs: { mode, coordinate_transformation_mode: coord } });
    cases.push({ name: `${mode} ${coord} down`, x: [1, 2, 11, 13], scales: [1, 1, 0.5, 0.7], attrs: { mode, coordinate_transformation_mode: coord } });
  }
  cases.push({ name: `${mode} exclude_outside`, x: [1, 2, 6, 7], scales: [1, 1, 1.7, 2.3], attrs: { mode, exclude_outside: 1, cubic_coeff_a: -0.5 } });
  cases.push({ name: `${mode} antialias down`, x: [1, 2, 17, 15], scales: [1, 1, 0.4, 0.6], attrs: { mode, antialias: 1 } });
  cases.push({ name: `${mode} tf_crop_and_resize with extrapolation`, x: [1, 2, 7, 8], sizes: [1, 2, 9, 6], roi: [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3],
    attrs: { mode, coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 7.5 } });
  cases.push({ name: `${mode} sizes, axes [2, 3], keep_aspect_ratio not_larger`, x: [1, 3, 8, 10], sizes: [13, 13],
    attrs: { mode, axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' } });
  cases.push({ name: `${mode} only the width (3-D)`, x: [3, 4, 9], scales: [1, 1, 1.8], attrs: { mode } });
  cases.push({ name: `${mode} moves a leading axis (reference path)`, x: [1, 3, 4, 5], scales: [1, 2, 2, 2], attrs: { mode } });
}
cases.push(
  { name: 'nearest tf_crop_and_resize with extrapolation', x: [1, 2, 7, 8], sizes: [1, 2, 9, 6], roi: [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3],
    attrs: { mode: 'nearest', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: -3 } },
  { name: 'nearest tf_half_pixel_for_nn (opset 11)', x: [1, 2, 5, 6], scales: [1, 1, 1.6, 2.2], opset: 11, attrs: { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' } },
  { name: 'linear tf_half_pixel_for_nn (opset 11)', x: [1, 2, 5, 6], scales: [1, 1, 1.6, 2.2], opset: 11, attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_half_pixel_for_nn' } },
  { name: 'nearest 5-D, every axis moved', x: [2, 3, 4, 5, 3], scales: [1.5, 1, 2, 0.5, 2], attrs: { mode: 'nearest' } },
  { name: 'nearest 1-D', x: [10], scales: [2.3], attrs: { mode: 'nearest' } },
  { name: 'Resize-10 nearest', x: [1, 2, 4, 5], scales: [1, 1, 2, 3], opset: 10, attrs: { mode: 'nearest' } },
  { name: 'Resize-10 linear', x: [1, 2, 4, 5], scales: [1, 1, 2, 0.6], opset: 10, attrs: { mode: 'linear' } },
  { name: 'Resize-13 cubic sizes', x: [1, 2, 6, 6], sizes: [1, 2, 10, 4], opset: 13, attrs: { mode: 'cubic' } },
  { name: 'Upsample-9 nearest', x: [1, 2, 3, 4], scales: [1, 1, 2, 2], opset: 9, op: 'Upsample', attrs: { mode: 'nearest' } },
  { name: 'Upsample-9 linear', x: [1, 2, 3, 4], scales: [1, 1, 2, 3], opset: 9, op: 'Upsample', attrs: { mode: 'linear' } },
  { name: 'linear ×2 large enough to split', x: [1, 16, 40, 40], scales: [1, 1, 2, 2], attrs: { mode: 'linear' } },
  { name: 'nearest ×2 large enough to split', x: [2, 16, 40, 40], scales: [1, 1, 2, 2], attrs: { mode: 'nearest' } },
  { name: 'cubic ×1.5 large enough to split', x: [1, 16, 40, 40], scales: [1, 1, 1.5, 1.5], attrs: { mode: 'cubic' } },
);

describe('wasm Resize', () => {
  cases.forEach((c, i) => {
    it(`${c.name}: 1 and 2 threads equal bit for bit and match the reference`, async () => {
      const bytes = model(c);
      const x = randomTensor('float32', c.x, 100 + i, -2, 2);
      // The reference resamples in float64; the engine in float32.
      await wasmMatchesReference(bytes, { x }, { rtol: 1e-5, atol: 1e-5 });
    });
  });

  it('bad scales get the reference\'s typed error', async () => {
    const s = await InferenceSession.create(model({ name: 'bad', x: [1, 2, 3, 4], scales: [1, 2], attrs: { mode: 'linear' } }), { executionProviders: ['wasm'] });
    await assert.rejects(s.run({ x: randomTensor('float32', [1, 2, 3, 4], 1) }), /scales has 2 values/);
    await s.release();
  });
});

describe('wasm Resize vs onnxruntime-node', { skip: !oracle && 'onnxruntime-node not installed' }, () => {
  const picks = ['nearest round_prefer_floor half_pixel up', 'nearest floor asymmetric up', 'linear half_pixel up', 'linear align_corners up', 'linear half_pixel down',
    'cubic half_pixel up', 'linear tf_crop_and_resize with extrapolation', 'Resize-13 cubic sizes'];
  for (const name of picks) {
    const c = cases.find((k) => k.name === name)!;
    it(name, async () => {
      const { mismatches } = await differential(model({ ...c, opset: Math.min(c.opset ?? 13, 13) }), { x: randomTensor('float32', c.x, 7, -2, 2) }, { rtol: 1e-4, atol: 1e-5 }, 'wasm');
      assert.deepEqual(mismatches, []);
    });
  }
});
