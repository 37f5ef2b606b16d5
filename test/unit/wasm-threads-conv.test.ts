/**
 * The split paths of the wasm conv and pool kernels (im2col by panel ranges, GEMM by output
 * channels or by pixels, pointwise convs by pixels, pools by plane ranges, residual pass): on 2 threads they equal
 * 1 thread bit for bit, and both match the reference backend. Sizes are chosen above the
 * kernels' split thresholds (split.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import type { Tensor } from '../../src/tensor.js';
import { compareTensors } from '../helpers/compare.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

const rnd = (dims: number[], seed: number) => randomTensor('float32', dims, seed, -0.5, 0.5);

/** A ResNet-like stem and block: 7×7/2 conv, max pool, 1×1 conv, average pools, 3×3/2 convs with a residual. */
function model(batch: number) {
  const g = new GraphBuilder();
  g.input('x', 'float32', [batch, 3, 128, 128]);
  // 7×7 stride 2 → 32×64×64: im2col split by panels, GEMM by pixels (32 rows, 4096 columns).
  g.node('Conv', ['x', g.init('w1', rnd([32, 3, 7, 7], 1)), g.init('b1', rnd([32], 2))], { strides: [2, 2], pads: [3, 3, 3, 3] }, ['c1']);
  g.node('Relu', ['c1'], {}, ['r1']);
  g.node('MaxPool', ['r1'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['p1']);
  // 1×1 with more channels than the pointwise kernel takes: im2col (a copy) + GEMM.
  g.node('Conv', ['p1', g.init('w2', rnd([64, 32, 1, 1], 3))], {}, ['c2']);
  g.node('AveragePool', ['c2'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, ['p2']);
  g.node('GlobalAveragePool', ['c2'], {}, ['gap']);
  // 3×3 stride 2 → 128×16×16 (columns ≥ rows: split by pixels), then → 256×8×8 (split by rows), with a residual.
  g.node('Conv', ['p2', g.init('w3', rnd([128, 64, 3, 3], 4))], { strides: [2, 2], pads: [1, 1, 1, 1] }, ['c3']);
  g.node('Conv', ['c3', g.init('w4', rnd([256, 128, 3, 3], 5)), g.init('b4', rnd([256], 6))], { strides: [2, 2], pads: [1, 1, 1, 1] }, ['c4']);
  g.node('Conv', ['c3', g.init('w5', rnd([256, 128, 1, 1], 7))], { strides: [2, 2] }, ['c5']);
  // Pointwise with few output channels, split by pixels, with a fused residual.
  g.node('Conv', ['p1', g.init('w6', rnd([16, 32, 1, 1], 8)), g.init('b6', rnd([16], 10))], {}, ['c6']);
  g.node('Conv', ['p1', g.init('w7', rnd([16, 32, 1, 1], 11))], {}, ['c7']);
  g.node('Add', ['c6', 'c7'], {}, ['s6']);
  g.node('Relu', ['s6'], {}, ['pw']);
  // 1×1 with 48 output channels (im2col + GEMM split by pixels) with a fused residual.
  g.node('Conv', ['p1', g.init('w8', rnd([48, 32, 1, 1], 12)), g.init('b8', rnd([48], 13))], {}, ['c8']);
  g.node('Conv', ['p1', g.init('w9', rnd([48, 32, 1, 1], 14))], {}, ['c9']);
  g.node('Add', ['c8', 'c9'], {}, ['s8']);
  g.node('Relu', ['s8'], {}, ['wide']);
  g.node('Add', ['c4', 'c5'], {}, ['s']);
  g.node('Relu', ['s'], {}, ['y']);
  g.output('y');
  g.output('gap');
  g.output('p1');
  g.output('pw');
  g.output('wide');
  return g.build({ opset: 17 });
}

/** As in wasm-conv.test.ts: deep sums that cancel to near 0 carry errors of the size of their terms. */
function maxAbs(t: Tensor): number {
  let m = 0;
  for (const v of t.data as Float32Array) m = Math.max(m, Math.abs(v));
  return m;
}

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>, ep: string, threads = 1) {
  const s = await InferenceSession.create(bytes, { executionProviders: [ep], intraOpNumThreads: threads });
  const out = await s.run(feeds);
  await s.release();
  return out;
}

describe('wasm conv and pool kernels on 2 threads', () => {
  for (const batch of [1, 2]) {
    it(`batch ${batch}: 2 threads equal 1 thread bit for bit, and the reference`, async () => {
      const bytes = model(batch);
      const feeds = { x: rnd([batch, 3, 128, 128], 9) };
      const ref = await run(bytes, feeds, 'js');
      const one = await run(bytes, feeds, 'wasm', 1);
      const two = await run(bytes, feeds, 'wasm', 2);
      for (const k of Object.keys(ref)) {
        const a = one[k]!.data as Float32Array, b = two[k]!.data as Float32Array;
        assert.deepEqual(two[k]!.dims, one[k]!.dims);
        assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${k} differs between 1 and 2 threads`);
        assert.equal(compareTensors(two[k]!, ref[k]!, { rtol: 1e-3, atol: 1e-4 + 1e-4 * maxAbs(ref[k]!) }), undefined, k);
      }
    });
  }
});

/**
 * Winograd 3×3 convs on 2 threads. 35×51 maps have 9 × 13 tiles, partial at the bottom and
 * right, and 15 panels: each thread takes a tile range (winograd_tiles_f32), the second one
 * starting mid tile row (tile 64). The 14×14 map has 2 panels: the phased split.
 */
function winogradModel() {
  const g = new GraphBuilder();
  g.input('x', 'float32', [1, 16, 35, 51]);
  g.input('z', 'float32', [1, 24, 35, 51]);
  g.node('Conv', ['x', g.init('wa', rnd([24, 16, 3, 3], 41)), g.init('ba', rnd([24], 42))], { pads: [1, 1, 1, 1] }, ['a']);
  g.node('Add', ['a', 'z'], {}, ['az']);
  g.node('Relu', ['az'], {}, ['ra']);
  // Asymmetric pads: top 2, left 0, bottom 0, right 1 → 35×50.
  g.node('Conv', ['ra', g.init('wb', rnd([16, 24, 3, 3], 43))], { pads: [2, 0, 0, 1] }, ['b']);
  g.node('MaxPool', ['b'], { kernel_shape: [2, 2], strides: [2, 2] }, ['pb']);
  g.node('Conv', ['pb', g.init('wc', rnd([32, 16, 1, 1], 44))], {}, ['pc']);
  g.node('MaxPool', ['pc'], { kernel_shape: [1, 2], strides: [1, 2] }, ['qc']);
  g.node('Conv', ['qc', g.init('wd', rnd([32, 32, 3, 3], 45))], { pads: [1, 1, 1, 1] }, ['d']);
  g.output('ra');
  g.output('b');
  g.output('d');
  return g.build({ opset: 17 });
}

describe('wasm Winograd conv on 2 threads', () => {
  it('tile ranges and phases: 2 threads equal 1 thread bit for bit, and the reference', async () => {
    const bytes = winogradModel();
    const feeds = { x: rnd([1, 16, 35, 51], 46), z: rnd([1, 24, 35, 51], 47) };
    const ref = await run(bytes, feeds, 'js');
    const one = await run(bytes, feeds, 'wasm', 1);
    const two = await run(bytes, feeds, 'wasm', 2);
    assert.deepEqual(ref.d!.dims, [1, 32, 17, 12]);
    for (const k of Object.keys(ref)) {
      const a = one[k]!.data as Float32Array, b = two[k]!.data as Float32Array;
      assert.deepEqual(two[k]!.dims, ref[k]!.dims);
      assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${k} differs between 1 and 2 threads`);
      assert.equal(compareTensors(two[k]!, ref[k]!, { rtol: 1e-3, atol: 1e-4 + 1e-4 * maxAbs(ref[k]!) }), undefined, k);
    }
  });
});
