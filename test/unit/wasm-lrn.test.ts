/**
 * The wasm engine's LRN kernel: against the reference and onnxruntime-node on window sizes that
 * reach past both channel edges (odd and even), plane sizes with a scalar tail, beta 0.75 (the
 * square-root path) and others (pow), batches, and bit-identical on 1 and 2 threads. Values too
 * small to square in float32 (what made it 40× slower) give the reference's results.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, randomTensor } from '../helpers/oracle.js';
import { wasmMatchesReference } from '../helpers/wasm-check.js';

interface Case { dims: number[]; size: number; alpha: number; beta: number; bias: number; scale?: number }

function lrn(c: Case): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.dims);
  g.node('LRN', ['x'], { size: c.size, alpha: { float: c.alpha }, beta: { float: c.beta }, bias: { float: c.bias } }, ['y']);
  g.output('y', 'float32', c.dims);
  const x = randomTensor('float32', c.dims, c.dims.length + c.size, -3, 3);
  if (c.scale) (x.data as Float32Array).forEach((v, i, a) => { a[i] = v * c.scale!; });
  return { bytes: g.build(), feeds: { x } };
}

const CASES: Case[] = [
  { dims: [1, 96, 27, 27], size: 5, alpha: 1e-4, beta: 0.75, bias: 1 },
  { dims: [2, 7, 5, 3], size: 5, alpha: 0.5, beta: 0.75, bias: 2 },
  { dims: [1, 6, 9], size: 4, alpha: 0.2, beta: 0.6, bias: 1.5 },
  { dims: [3, 3, 4, 4], size: 1, alpha: 0.1, beta: 1, bias: 1 },
  { dims: [1, 40, 33, 33], size: 7, alpha: 2e-3, beta: 0.75, bias: 1 },
  { dims: [1, 8, 12, 12], size: 3, alpha: 1, beta: 0.75, bias: 1, scale: 1e-21 },
  { dims: [1, 8, 12, 12], size: 3, alpha: 1, beta: 0.75, bias: 1, scale: 1e-39 },
];

describe('wasm LRN', () => {
  for (const c of CASES) {
    const what = `${c.dims.join('×')} size ${c.size} beta ${c.beta}${c.scale ? ` values ×${c.scale}` : ''}`;
    it(`${what}: 1 and 2 threads equal bit for bit and match the reference`, async () => {
      const { bytes, feeds } = lrn(c);
      await wasmMatchesReference(bytes, feeds, { rtol: 1e-5, atol: 1e-6 });
    });
  }
  it('matches onnxruntime-node', async () => {
    // onnxruntime takes odd window sizes only; the spec (and the reference) allow even ones.
    for (const c of CASES.filter((x) => x.size % 2 === 1 && !x.scale)) {
      const { bytes, feeds } = lrn(c);
      assert.deepEqual((await differential(bytes, feeds, { rtol: 1e-5, atol: 1e-6 }, 'wasm')).mismatches, [], c.dims.join('×'));
    }
  });
});
