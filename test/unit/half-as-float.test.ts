/**
 * float16 models on the wasm backend: nodes compute in float32 between casts (half-as-float.ts),
 * so they run on the engine's float32 kernels. The lowered graph keeps float16 at its edges only,
 * weights become float32 initializers, and outputs agree with onnxruntime-node and with the js
 * reference backend, on 1 and 2 threads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferGraphTypes } from '../../src/graph/infer.js';
import { buildGraph } from '../../src/graph/ir.js';
import { computeHalfAsFloat } from '../../src/graph/passes/half-as-float.js';
import { optimizeGraph } from '../../src/graph/passes/optimize.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, randomTensor } from '../helpers/oracle.js';

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

/**
 * x (float16) → Conv+bias → Relu → MaxPool → Flatten → MatMul → Add → Softmax → y (float16); the
 * pooled map is also a second output, and read by a Cast to float32 (a node the pass leaves alone).
 */
function halfCnn(type: 'float16' | 'float32' = 'float16'): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', type, [2, 3, 8, 8]);
  g.init('w', randomTensor(type, [6, 3, 3, 3], 1, -0.5, 0.5));
  g.init('b', randomTensor(type, [6], 2, -0.5, 0.5));
  g.node('Conv', ['x', 'w', 'b'], { pads: [1, 1, 1, 1] }, ['c']);
  g.node('Relu', ['c'], {}, ['r']);
  g.node('MaxPool', ['r'], { kernel_shape: [2, 2], strides: [2, 2] }, ['p']);
  g.node('Flatten', ['p'], {}, ['f']);
  g.init('m', randomTensor(type, [96, 10], 3, -0.2, 0.2));
  g.node('MatMul', ['f', 'm'], {}, ['mm']);
  g.init('bias', randomTensor(type, [10], 4));
  g.node('Add', ['mm', 'bias'], {}, ['a']);
  g.node('Softmax', ['a'], { axis: 1 }, ['y']);
  g.node('Cast', ['p'], { to: 1 }, ['p32']);
  g.output('y', type, [2, 10]).output('p', type, [2, 6, 4, 4]).output('p32', 'float32', [2, 6, 4, 4]);
  return g.build();
}

const feeds = { x: randomTensor('float16', [2, 3, 8, 8], 9, -2, 2) };
// float16 keeps 11 significant bits: results computed in float32 and rounded once differ from
// onnxruntime's by a unit in the last place at most.
const tol = { rtol: 2e-3, atol: 1e-3 };

describe('float16 computed in float32 (wasm)', () => {
  it('only edge casts stay float16; weights fold to float32; outputs keep their types', () => {
    const lowered = optimizeGraph(computeHalfAsFloat(irOf(halfCnn())));
    const types = inferGraphTypes(lowered);
    const elem = (v: string) => { const t = types.get(v); return t?.kind === 'tensor' ? t.elemType : undefined; };
    for (const n of lowered.nodes) {
      if (n.opType === 'Cast') continue;
      for (const v of [...n.inputs, ...n.outputs].filter(Boolean)) assert.equal(elem(v), 'float32', `${n.desc} ${v}`);
    }
    const casts = lowered.nodes.filter((n) => n.opType === 'Cast');
    // x to float32; p back to float16 (an output, and read by the model's own Cast); y back to float16.
    assert.equal(casts.length, 4, casts.map((c) => c.desc).join('\n'));
    for (const n of lowered.nodes) for (const v of n.inputs) if (lowered.initializers.has(v)) assert.equal(lowered.initializers.get(v)!.type, 'float32', v);
    assert.equal(elem('y'), 'float16');
    assert.equal(elem('p'), 'float16');
    assert.equal(elem('p32'), 'float32');
    assert.ok(lowered.nodes.some((n) => n.opType === 'FusedConv' || n.opType === 'Conv'));
  });

  it('leaves float32 graphs alone', () => {
    const g32 = irOf(halfCnn('float32'));
    assert.equal(computeHalfAsFloat(g32), g32);
  });

  for (const backend of ['wasm', 'wasm-mt', 'js']) {
    it(`${backend}: outputs match onnxruntime-node`, async () => {
      const r = await differential(halfCnn(), feeds, tol, backend);
      assert.deepEqual(r.mismatches, []);
    });
  }

  it('a float16 transformer block (MatMul, LayerNormalization, Gelu, Softmax) matches onnxruntime-node on wasm', async () => {
    const g = new GraphBuilder();
    g.input('h', 'float16', [1, 5, 16]);
    g.init('wq', randomTensor('float16', [16, 16], 11, -0.3, 0.3));
    g.init('wk', randomTensor('float16', [16, 16], 12, -0.3, 0.3));
    g.node('MatMul', ['h', 'wq'], {}, ['q']);
    g.node('MatMul', ['h', 'wk'], {}, ['k']);
    g.node('Transpose', ['k'], { perm: [0, 2, 1] }, ['kt']);
    g.node('MatMul', ['q', 'kt'], {}, ['s']);
    g.node('Softmax', ['s'], { axis: -1 }, ['att']);
    g.node('MatMul', ['att', 'h'], {}, ['o']);
    g.node('Add', ['o', 'h'], {}, ['res']);
    g.init('gamma', randomTensor('float16', [16], 13, 0.5, 1.5));
    g.init('beta', randomTensor('float16', [16], 14, -0.5, 0.5));
    g.node('LayerNormalization', ['res', 'gamma', 'beta'], { axis: -1 }, ['ln']);
    g.node('Gelu', ['ln'], {}, ['y']);
    g.output('y', 'float16', [1, 5, 16]);
    const bytes = g.build({ opset: 20 });
    const h = { h: randomTensor('float16', [1, 5, 16], 15, -1, 1) };
    assert.deepEqual((await differential(bytes, h, tol, 'wasm')).mismatches, []);
  });
});
