/**
 * Subgraphs are optimised like the main graph, with the enclosing graph's constants as their own:
 * an If whose branches hold Conv → BatchNormalization → Relu on outer weights (Silero VAD's shape)
 * gets fused, packed engine kernels, and still equals onnxruntime-node on either branch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IrGraph } from '../../src/graph/ir.js';
import { buildGraph } from '../../src/graph/ir.js';
import { optimizeGraph } from '../../src/graph/passes/optimize.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, randomTensor } from '../helpers/oracle.js';

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

function branch(name: string, w: string, scale: number): GraphBuilder {
  const b = new GraphBuilder(name);
  b.node('Conv', ['x', w], { pads: [1, 1, 1, 1] }, [`${name}_c`]);
  b.node('BatchNormalization', [`${name}_c`, 'bn_s', 'bn_b', 'bn_m', 'bn_v'], {}, [`${name}_n`]);
  b.node('Relu', [`${name}_n`], {}, [`${name}_r`]);
  b.init(`${name}_k`, new Tensor('float32', [scale], []));
  b.node('Mul', [`${name}_r`, `${name}_k`], {}, [`${name}_y`]);
  b.output(`${name}_y`, 'float32', [1, 4, 5, 5]);
  return b;
}

function model(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [1, 3, 5, 5]);
  g.input('cond', 'bool', []);
  g.init('w1', randomTensor('float32', [4, 3, 3, 3], 1, -0.5, 0.5));
  g.init('w2', randomTensor('float32', [4, 3, 3, 3], 2, -0.5, 0.5));
  g.init('bn_s', randomTensor('float32', [4], 3, 0.5, 1.5));
  g.init('bn_b', randomTensor('float32', [4], 4));
  g.init('bn_m', randomTensor('float32', [4], 5));
  g.init('bn_v', randomTensor('float32', [4], 6, 0.5, 2));
  g.node('If', ['cond'], { then_branch: { graph: branch('then', 'w1', 2) }, else_branch: { graph: branch('else', 'w2', 3) } }, ['y']);
  g.output('y', 'float32', [1, 4, 5, 5]);
  return g.build();
}

describe('subgraph optimisation', () => {
  it('folds BatchNormalization and fuses Relu inside If branches, on the outer weights', () => {
    const opt = optimizeGraph(irOf(model()));
    const iff = opt.nodes.find((n) => n.opType === 'If')!;
    for (const key of ['then', 'else']) {
      const sub = (iff.attrs as Record<string, IrGraph>)[key]!;
      assert.deepEqual(sub.nodes.map((n) => n.opType), ['FusedConv', 'Mul'], key);
      assert.ok(!sub.outerRefs.has('bn_s'), 'outer constants became the branch\'s own');
    }
  });

  for (const backend of ['js', 'wasm', 'wasm-mt']) {
    it(`${backend}: both branches equal onnxruntime-node`, async () => {
      for (const c of [true, false]) {
        const feeds = { x: randomTensor('float32', [1, 3, 5, 5], 7), cond: new Tensor('bool', Uint8Array.of(c ? 1 : 0), []) };
        assert.deepEqual((await differential(model(), feeds, { rtol: 1e-5, atol: 1e-5 }, backend)).mismatches, [], String(c));
      }
    });
  }
});
