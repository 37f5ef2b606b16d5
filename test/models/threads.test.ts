/**
 * Threads change nothing but speed: every ../shared model, and a GEMM-heavy model built here,
 * gives bit-identical outputs on 1 and 2 threads (kernels split work into tasks that write
 * disjoint outputs, each computed exactly as on one thread).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modelInputs, syntheticFeeds } from '../../src/cli/bench.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { readTestInputs } from '../conformance/one-test.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { sharedOrSkip } from '../helpers/shared.js';

async function outputs(model: string | Uint8Array, feeds: Record<string, Tensor>, threads: number) {
  const s = await InferenceSession.create(model, { executionProviders: ['wasm'], intraOpNumThreads: threads });
  assert.match(s.backendReason, threads > 1 ? /2 threads \(requested\)/ : /1 thread/);
  const out = s.runSync(feeds);
  await s.release();
  return out;
}

function assertIdentical(a: Record<string, unknown>, b: Record<string, unknown>, what: string) {
  for (const k of Object.keys(a)) {
    const x = a[k] as Tensor, y = b[k] as Tensor;
    assert.deepEqual(y.dims, x.dims, `${what} ${k} dims`);
    assert.ok(Buffer.from((x.data as Float32Array).buffer).equals(Buffer.from((y.data as Float32Array).buffer)) || x.type !== 'float32'
      && String(x.data) === String(y.data), `${what} output ${k} differs between 1 and 2 threads`);
  }
}

describe('2 threads equal 1 thread, bit for bit', () => {
  it('a GEMM-heavy model (MatMul + bias + Gelu chain, batched attention-like MatMul)', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2, 96, 384]);
    g.init('w1', new Tensor('float32', Float32Array.from({ length: 384 * 512 }, (_, i) => Math.sin(i) / 20), [384, 512]));
    g.init('b1', new Tensor('float32', Float32Array.from({ length: 512 }, (_, i) => i / 512), [512]));
    g.node('MatMul', ['x', 'w1'], {}, ['m1']);
    g.node('Add', ['m1', 'b1'], {}, ['a1']);
    g.node('Tanh', ['a1'], {}, ['t1']);
    g.node('Transpose', ['t1'], { perm: [0, 2, 1] }, ['tt']);
    g.node('MatMul', ['t1', 'tt'], {}, ['y']);
    g.output('y', 'float32', [2, 96, 96]);
    const bytes = g.build();
    const x = new Tensor('float32', Float32Array.from({ length: 2 * 96 * 384 }, (_, i) => Math.cos(i * 0.01)), [2, 96, 384]);
    assertIdentical(await outputs(bytes, { x }, 1), await outputs(bytes, { x }, 2), 'gemm model');
  });

  const root = sharedOrSkip('models', 'threads on real models');
  const models = root ? readdirSync(root).filter((d) => existsSync(join(root, d, 'model.onnx'))).sort() : [];
  for (const m of models) {
    it(m, async () => {
      const path = join(root!, m, 'model.onnx');
      // The model's own reference inputs (shapes that fit), else inputs built from its declared ones.
      const set = join(root!, m, 'test_data_set_0');
      const ref = existsSync(set) ? readTestInputs(set, decodeModel(new Uint8Array(readFileSync(path))).graph) : undefined;
      const feeds = (typeof ref === 'object' ? ref : syntheticFeeds(modelInputs(path))) as Record<string, Tensor>;
      assertIdentical(await outputs(path, feeds, 1), await outputs(path, feeds, 2), m);
    });
  }
});
