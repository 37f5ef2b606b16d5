/**
 * FusedMatMul's epilogue: the MatMul + bias fusion also absorbs a residual Add and one
 * activation (a transformer's skip connection and feed-forward Gelu). The pass's result,
 * outputs against onnxruntime on js and wasm, and wasm on 1 and 2 threads bit for bit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph, type IrGraph } from '../../src/graph/ir.js';
import { fuseMatMulBias } from '../../src/graph/passes/fuse-matmul-bias.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import type { FusedMatMulAttrs } from '../../src/ops/nn/fused-matmul.js';
import { InferenceSession } from '../../src/runtime/session.js';
import type { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';

const TOL = { rtol: 1e-4, atol: 1e-4 };

function irOf(bytes: Uint8Array): IrGraph {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

interface Case {
  a: number[];
  w: [number, number];
  /** Shape of the residual input, added after the bias (absent: no residual Add). */
  residual?: number[];
  residualFirst?: boolean;
  act?: 'Gelu' | 'Relu' | 'Tanh' | 'GeluTanh';
  /** Another reader of the value before the residual Add / the activation: that step stays unfused. */
  branchBeforeResidual?: boolean;
  branchBeforeAct?: boolean;
}

function model(c: Case): Uint8Array {
  const g = new GraphBuilder();
  g.input('a', 'float32', c.a);
  g.init('w', randomTensor('float32', c.w, 41, -0.2, 0.2));
  g.init('bias', randomTensor('float32', [c.w[1]], 42));
  g.node('MatMul', ['a', 'w'], {}, ['p']);
  g.node('Add', ['bias', 'p'], {}, ['t']);
  let y = 't';
  if (c.branchBeforeResidual) { g.node('Neg', [y], {}, ['side']); g.output('side'); }
  if (c.residual) {
    g.input('r', 'float32', c.residual);
    g.node('Add', c.residualFirst ? ['r', y] : [y, 'r'], {}, [(y = 'u')]);
  }
  if (c.branchBeforeAct) { g.node('Neg', [y], {}, ['side2']); g.output('side2'); }
  if (c.act) g.node(c.act === 'GeluTanh' ? 'Gelu' : c.act, [y], c.act === 'GeluTanh' ? { approximate: 'tanh' } : {}, [(y = 'v')]);
  g.node('Identity', [y], {}, ['y']);
  g.output('y');
  return g.build({ opset: 20 });
}

function feedsOf(c: Case): Record<string, Tensor> {
  const f: Record<string, Tensor> = { a: randomTensor('float32', c.a, 43) };
  if (c.residual) f.r = randomTensor('float32', c.residual, 44);
  return f;
}

async function wasmOut(bytes: Uint8Array, feeds: Record<string, Tensor>, threads: number): Promise<Tensor> {
  const s = await InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: threads });
  const y = s.runSync(feeds).y as Tensor;
  await s.release();
  return y;
}

describe('FusedMatMul epilogue: residual Add and activation', () => {
  const fused: [string, Case, number, string | undefined][] = [
    ['residual', { a: [2, 5, 24], w: [24, 16], residual: [2, 5, 16] }, 4, undefined],
    ['residual as Add\'s first input', { a: [7, 24], w: [24, 16], residual: [7, 16], residualFirst: true }, 4, undefined],
    ['Gelu', { a: [1, 9, 32], w: [32, 40], act: 'Gelu' }, 3, 'Gelu'],
    ['Gelu (tanh)', { a: [9, 32], w: [32, 40], act: 'GeluTanh' }, 3, 'Gelu'],
    ['residual then Relu', { a: [3, 11, 20], w: [20, 13], residual: [3, 11, 13], act: 'Relu' }, 4, 'Relu'],
    ['a residual that broadcasts (reference path on wasm)', { a: [3, 4, 20], w: [20, 13], residual: [13] }, 4, undefined],
    ['a residual that widens the output', { a: [4, 20], w: [20, 13], residual: [3, 4, 13], act: 'Tanh' }, 4, 'Tanh'],
    // Large enough that the residual Add and the Gelu split over threads.
    ['BERT-sized output layer', { a: [4, 128, 96], w: [96, 1024], residual: [4, 128, 1024] }, 4, undefined],
    ['BERT-sized intermediate layer', { a: [1, 128, 96], w: [96, 3072], act: 'Gelu' }, 3, 'Gelu'],
  ];
  for (const [name, c, inputs, act] of fused) {
    it(`${name}: one FusedMatMul; js and wasm equal onnxruntime; 2 threads equal 1`, { skip: !oracle }, async () => {
      const bytes = model(c);
      const g = fuseMatMulBias(irOf(bytes));
      const ops = g.nodes.map((n) => n.opType);
      assert.deepEqual(ops, ['FusedMatMul', 'Identity']);
      assert.equal(g.nodes[0]!.inputs.length, inputs);
      assert.equal((g.nodes[0]!.attrs as FusedMatMulAttrs | undefined)?.activation?.opType, act);
      const feeds = feedsOf(c);
      for (const backend of ['js', 'wasm']) assert.deepEqual((await differential(bytes, feeds, TOL, backend)).mismatches, [], backend);
      const one = await wasmOut(bytes, feeds, 1), two = await wasmOut(bytes, feeds, 2);
      assert.deepEqual(two.data, one.data);
    });
  }

  const partial: [string, Case, string[]][] = [
    ['the biased product has another reader: the residual Add stays', { a: [5, 24], w: [24, 16], residual: [5, 16], act: 'Relu', branchBeforeResidual: true },
      ['FusedMatMul', 'Neg', 'Add', 'Relu', 'Identity']],
    ['the sum has another reader: the activation stays', { a: [5, 24], w: [24, 16], residual: [5, 16], act: 'Gelu', branchBeforeAct: true },
      ['FusedMatMul', 'Neg', 'Gelu', 'Identity']],
  ];
  for (const [why, c, want] of partial) {
    it(`${why}; outputs equal onnxruntime`, { skip: !oracle }, async () => {
      const bytes = model(c);
      assert.deepEqual(fuseMatMulBias(irOf(bytes)).nodes.map((n) => n.opType), want);
      for (const backend of ['js', 'wasm']) assert.deepEqual((await differential(bytes, feedsOf(c), TOL, backend)).mismatches, [], backend);
    });
  }
});
