/**
 * The engine's ConvTranspose (GEMM + col2im) against the reference kernel on random shapes and
 * every attribute it handles (groups, strides, dilations, pads, auto_pad, output_padding,
 * output_shape, 1-D, 2-D and 3-D, batches), on 1 and 2 threads (bit for bit equal); plus
 * onnxruntime-node on a few models.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { wasmMatchesReference } from '../helpers/wasm-check.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';

const rnd = (dims: number[], seed: number) => randomTensor('float32', dims, seed, -0.5, 0.5);

interface Case {
  name: string;
  x: number[];
  /** [C, M/group, k…] */
  w: number[];
  group?: number;
  bias?: boolean;
  attrs?: Record<string, AttrValue>;
}

function model(c: Case): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const ins = ['x', g.init('w', rnd(c.w, 2))];
  if (c.bias) ins.push(g.init('b', rnd([c.w[1]! * (c.group ?? 1)], 3)));
  g.node('ConvTranspose', ins, { ...(c.group ? { group: c.group } : {}), ...c.attrs }, ['y']);
  g.output('y');
  return g.build({ opset: 17 });
}

const cases: Case[] = [
  { name: '2-D 3×3 stride 1', x: [1, 5, 7, 6], w: [5, 3, 3, 3], bias: true },
  { name: '2-D 4×4 stride 2 pads 1 (upsampler)', x: [1, 16, 9, 11], w: [16, 8, 4, 4], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '2-D stride 3×2, dilations 2×1, asymmetric pads', x: [2, 4, 5, 7], w: [4, 3, 3, 2], attrs: { strides: [3, 2], dilations: [2, 1], pads: [1, 0, 2, 1] } },
  { name: '2-D groups 2 with bias', x: [1, 6, 8, 8], w: [6, 5, 3, 3], group: 2, bias: true, attrs: { strides: [2, 2] } },
  { name: '2-D depthwise (groups = channels)', x: [1, 4, 6, 5], w: [4, 1, 2, 2], group: 4, bias: true, attrs: { strides: [2, 2] } },
  { name: '2-D output_padding', x: [1, 3, 5, 5], w: [3, 2, 3, 3], attrs: { strides: [2, 3], output_padding: [1, 2] } },
  { name: '2-D output_shape (spatial)', x: [1, 3, 4, 4], w: [3, 2, 3, 3], attrs: { strides: [2, 2], output_shape: [10, 9] } },
  { name: '2-D auto_pad SAME_UPPER', x: [1, 3, 5, 6], w: [3, 4, 3, 3], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: '2-D auto_pad SAME_LOWER', x: [1, 3, 5, 6], w: [3, 4, 4, 4], attrs: { strides: [2, 2], auto_pad: 'SAME_LOWER' } },
  { name: '2-D auto_pad VALID, stride 4 wider than the kernel', x: [1, 2, 3, 4], w: [2, 3, 2, 3], attrs: { strides: [4, 4], auto_pad: 'VALID' } },
  { name: '1-D stride 2 dilation 2 pads', x: [2, 5, 13], w: [5, 6, 3], bias: true, attrs: { strides: [2], dilations: [2], pads: [1, 2] } },
  { name: '1-D groups 3', x: [1, 6, 10], w: [6, 2, 4], group: 3, attrs: { strides: [3] } },
  { name: '3-D 3×3×3 stride 1 with bias', x: [1, 4, 5, 6, 7], w: [4, 3, 3, 3, 3], bias: true },
  {
    name: '3-D strides 2×1×2, dilations 1×2×1, asymmetric pads, output_padding', x: [2, 3, 4, 5, 6], w: [3, 2, 2, 3, 3],
    attrs: { strides: [2, 1, 2], dilations: [1, 2, 1], pads: [1, 0, 1, 0, 2, 1], output_padding: [1, 0, 1] },
  },
  { name: '3-D groups 2, auto_pad SAME_UPPER', x: [1, 4, 3, 4, 5], w: [4, 3, 2, 2, 2], group: 2, bias: true, attrs: { strides: [2, 2, 2], auto_pad: 'SAME_UPPER' } },
  { name: '3-D large enough to split: 16→8 2×2×2 s2 on 8³', x: [1, 16, 8, 8, 8], w: [16, 8, 2, 2, 2], bias: true, attrs: { strides: [2, 2, 2] } },
  { name: 'large enough to split: 32→16 4×4 s2 on 24×24', x: [1, 32, 24, 24], w: [32, 16, 4, 4], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'batch of 2 split', x: [2, 16, 20, 20], w: [16, 12, 3, 3], bias: true, attrs: { strides: [2, 2], output_padding: [1, 1] } },
];

describe('wasm ConvTranspose', () => {
  for (const c of cases) {
    it(`${c.name}: 1 and 2 threads equal bit for bit and match the reference`, async () => {
      const bytes = model(c);
      const x = rnd(c.x, 1);
      await wasmMatchesReference(bytes, { x }, { rtol: 1e-4, atol: 1e-5 });
    });
  }

  it('bad weights get the reference kernel\'s typed error', async () => {
    const bytes = model({ name: 'bad', x: [1, 4, 5, 5], w: [3, 2, 3, 3] });
    const s = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    await assert.rejects(s.run({ x: rnd([1, 4, 5, 5], 1) }), /input channels/);
    await s.release();
  });
});

describe('wasm ConvTranspose vs onnxruntime-node', { skip: !oracle && 'onnxruntime-node not installed' }, () => {
  for (const c of [cases[1]!, cases[3]!, cases[7]!, cases[10]!, cases[13]!, cases[14]!]) {
    it(c.name, async () => {
      const { mismatches } = await differential(model(c), { x: rnd(c.x, 1) }, { rtol: 1e-4, atol: 1e-5 }, 'wasm');
      assert.deepEqual(mismatches, []);
    });
  }
});
