/** Constant folding: constant subexpressions become initializers; random ops and overridden inputs stay live. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldConstants } from '../../src/graph/passes/constant-folding.js';
import { buildGraph } from '../../src/graph/ir.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { isFileBacked, releaseStorage } from '../../src/onnx/lazy-tensor.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

const i64 = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

describe('constant folding', () => {
  it('folds ConstantOfShape → Transpose chains feeding MatMul, keeps the data path', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2, 3]);
    g.init('shape', i64([4, 3]));
    g.node('ConstantOfShape', ['shape'], { value: new Tensor('float32', [0.5], [1]) }, ['w0']);
    g.node('Transpose', ['w0'], {}, ['w']);
    g.node('MatMul', ['x', 'w'], {}, ['y']);
    g.output('y');
    const ir = irOf(g.build());
    const folded = foldConstants(ir);
    assert.deepEqual(folded.nodes.map((n) => n.opType), ['MatMul']);
    assert.deepEqual(folded.initializers.get('w')!.dims, [3, 4]);
    assert.equal(ir.nodes.length, 3, 'the input graph is untouched');
    const s = await InferenceSession.create(g.build(), { executionProviders: ['js'] });
    const y = (await s.run({ x: new Tensor('float32', new Float32Array(6).fill(1), [2, 3]) })).y!;
    assert.deepEqual(Array.from(y.data as Float32Array), new Array(8).fill(1.5));
  });

  it('large folded weights can be recomputed: the wasm backend packs them and drops the JS copy', async () => {
    // A ConstantOfShape weight of 2^20 floats (as the light model-zoo files store their weights).
    const g = new GraphBuilder();
    g.input('x', 'float32', [2, 1024]);
    g.init('shape', i64([1024, 1024]));
    g.node('ConstantOfShape', ['shape'], { value: new Tensor('float32', [0.25], [1]) }, ['w']);
    g.node('MatMul', ['x', 'w'], {}, ['y']);
    g.output('y');
    const folded = foldConstants(irOf(g.build()));
    const w = folded.initializers.get('w')!;
    assert.ok(isFileBacked(w), 'recomputable');
    assert.equal((w.data as Float32Array)[12345], 0.25);
    assert.ok(releaseStorage(w));
    assert.equal((w.data as Float32Array)[1048575], 0.25, 'read again after release: recomputed');
    const x = new Tensor('float32', new Float32Array(2048).fill(1), [2, 1024]);
    for (const ep of ['js', 'wasm']) {
      const s = await InferenceSession.create(g.build(), { executionProviders: [ep] });
      assert.deepEqual([...new Set((await s.run({ x })).y!.data as Float32Array)], [256], ep);
      await s.release();
    }
  });

  it('never folds random ops', () => {
    const g = new GraphBuilder();
    g.node('RandomUniform', [], { shape: [2, 2] }, ['r']);
    g.node('Relu', ['r'], {}, ['y']);
    g.output('y');
    const folded = foldConstants(irOf(g.build()));
    assert.deepEqual(folded.nodes.map((n) => n.opType), ['RandomUniform', 'Relu']);
  });

  it('uses the unfolded graph when a feed overrides an initializer', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2]);
    g.input('k', 'float32', [2]);
    g.init('k', new Tensor('float32', [1, 2], [2]));
    g.node('Neg', ['k'], {}, ['nk']);
    g.node('Add', ['x', 'nk'], {}, ['y']);
    g.output('y');
    const s = await InferenceSession.create(g.build({ irVersion: 3, opset: 9 }), { executionProviders: ['js'] });
    const x = new Tensor('float32', [10, 10], [2]);
    assert.deepEqual(Array.from((await s.run({ x })).y!.data as Float32Array), [9, 8]);
    assert.deepEqual(Array.from((await s.run({ x, k: new Tensor('float32', [5, 5], [2]) })).y!.data as Float32Array), [5, 5]);
  });
});
