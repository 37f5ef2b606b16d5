/**
 * The pointwise → depthwise fusion (MobileNet's expand conv and the depthwise conv reading it):
 * which pairs the pass fuses and which it leaves, and the fused node's results against
 * onnxruntime on js and wasm, and on 1 and 2 threads (bit for bit) against the reference, over
 * strides, pads, dilations, kernel sizes, widths that leave partial 8-pixel panels, batches, and
 * channel counts that split into several groups and thread ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph, type IrGraph } from '../../src/graph/ir.js';
import { optimizeGraph } from '../../src/graph/passes/optimize.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';
import { wasmMatchesReference } from '../helpers/wasm-check.js';

const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => randomTensor('float32', dims, seed, lo, hi);
const skip = oracle ? false : 'onnxruntime-node not installed';
const TOL = { rtol: 1e-4, atol: 1e-5 };

interface Case {
  /** [N, C, H, W]. */
  x: number[];
  /** Expanded channels. */
  m: number;
  k?: [number, number];
  dw?: Record<string, AttrValue>;
  bias?: boolean;
  act1?: 'Relu' | 'Clip';
  act2?: 'Relu' | 'Clip';
}

function activation(g: GraphBuilder, x: string, act: Case['act1'], out: string): string {
  if (!act) return x;
  if (act === 'Relu') g.node('Relu', [x], {}, [out]);
  else g.node('Clip', [x, g.init(`${out}_lo`, new Tensor('float32', [0], [])), g.init(`${out}_hi`, new Tensor('float32', [6], []))], {}, [out]);
  return out;
}

function model(c: Case, extra?: (g: GraphBuilder) => void): Uint8Array {
  const [, C] = c.x as [number, number];
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const w1 = [g.init('w1', rnd([c.m, C, 1, 1], 5)), ...(c.bias ? [g.init('b1', rnd([c.m], 6))] : [])];
  g.node('Conv', ['x', ...w1], {}, ['e']);
  const e = activation(g, 'e', c.act1, 'ea');
  const w2 = [g.init('w2', rnd([c.m, 1, ...(c.k ?? [3, 3])], 7)), ...(c.bias ? [g.init('b2', rnd([c.m], 8))] : [])];
  g.node('Conv', [e, ...w2], { group: c.m, ...(c.dw ?? {}) }, ['d']);
  g.output(activation(g, 'd', c.act2, 'y'));
  extra?.(g);
  return g.build({ opset: 17 });
}

function irOf(bytes: Uint8Array): IrGraph {
  const m = decodeModel(bytes);
  const opsets = new Map(m.opsetImports.map((o) => [o.domain, o.version]));
  return buildGraph(m.graph, { registry: defaultRegistry, opsets, functions: new Map() });
}
const ops = (bytes: Uint8Array) => optimizeGraph(irOf(bytes)).nodes.map((n) => n.opType);
const label = (c: Case) => `x${JSON.stringify(c.x)} → ${c.m} → dw ${(c.k ?? [3, 3]).join('×')} ${JSON.stringify(c.dw ?? {})}${c.bias ? ' +bias' : ''}`
  + `${c.act1 ? ` ${c.act1}` : ''}${c.act2 ? `/${c.act2}` : ''}`;

const MOBILENET = { pads: [1, 1, 1, 1] };
const CASES: Case[] = [
  { x: [1, 4, 9, 9], m: 12, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
  { x: [1, 3, 10, 13], m: 6, dw: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, act1: 'Relu' },
  { x: [1, 5, 7, 5], m: 10, dw: { strides: [2, 2], pads: [0, 0, 1, 1] }, act2: 'Relu' },
  { x: [1, 2, 12, 11], m: 7, k: [5, 5], dw: { pads: [2, 1, 2, 1], dilations: [1, 2] }, bias: true },
  { x: [1, 3, 6, 6], m: 5, k: [1, 3], dw: { strides: [1, 2], pads: [0, 1, 0, 1] }, act1: 'Clip' },
  { x: [2, 4, 9, 10], m: 8, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
  // Rows of whole 8-pixel panels: the expand GEMM stores into the padded planes directly, plain
  // (stride 1, any kernel) or split by column parity (stride 2 with ≥ 16 output columns, pads
  // odd or even), with and without bias, and more channels than one GEMM row block (128).
  { x: [1, 8, 16, 16], m: 12, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
  { x: [1, 5, 16, 8], m: 6, k: [5, 5], dw: { pads: [2, 2, 2, 2] }, act1: 'Relu' },
  { x: [1, 3, 32, 32], m: 6, dw: { strides: [2, 2], pads: [0, 0, 1, 1] }, bias: true, act2: 'Relu' },
  { x: [1, 3, 24, 32], m: 5, dw: { strides: [2, 2], pads: [2, 2, 2, 2] }, act1: 'Relu', act2: 'Relu' },
  { x: [1, 4, 16, 40], m: 7, dw: { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 1] } },
  { x: [1, 8, 24, 24], m: 200, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
];
// Above the split threshold, several channel groups per task; 37² leaves a partial panel.
const THREADED: Case[] = [
  { x: [1, 16, 56, 56], m: 96, dw: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, act1: 'Clip', act2: 'Clip' },
  { x: [1, 24, 37, 37], m: 146, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
  { x: [1, 32, 14, 14], m: 192, dw: MOBILENET, act1: 'Relu' },
  { x: [1, 24, 40, 40], m: 146, dw: MOBILENET, bias: true, act1: 'Clip', act2: 'Clip' },
];

describe('pointwise → depthwise fusion', () => {
  it('fuses an expand conv (with its activation) and the depthwise conv reading it', () => {
    assert.deepEqual(ops(model(CASES[0]!)), ['PointwiseDepthwise']);
    assert.deepEqual(ops(model({ x: [1, 2, 5, 5], m: 4 })), ['PointwiseDepthwise']);
  });
  it('leaves the pair when the expanded image has another reader or is a graph output', () => {
    assert.deepEqual(ops(model(CASES[0]!, (g) => { g.node('Neg', ['ea'], {}, ['n']); g.output('n'); })), ['FusedConv', 'FusedConv', 'Neg']);
    assert.deepEqual(ops(model(CASES[0]!, (g) => g.output('ea'))), ['FusedConv', 'FusedConv']);
  });
  it('leaves a first conv that is not 1×1, stride 1, unpadded, or a second that is not depthwise', () => {
    const strided = new GraphBuilder();
    strided.input('x', 'float32', [1, 2, 8, 8]);
    strided.node('Conv', ['x', strided.init('w1', rnd([4, 2, 1, 1], 1))], { strides: [2, 2] }, ['e']);
    strided.node('Conv', ['e', strided.init('w2', rnd([4, 1, 3, 3], 2))], { group: 4 }, ['y']);
    strided.output('y');
    assert.deepEqual(ops(strided.build({ opset: 17 })), ['Conv', 'Conv']);
    const grouped = new GraphBuilder();
    grouped.input('x', 'float32', [1, 2, 8, 8]);
    grouped.node('Conv', ['x', grouped.init('w1', rnd([4, 2, 1, 1], 1))], {}, ['e']);
    grouped.node('Conv', ['e', grouped.init('w2', rnd([4, 2, 3, 3], 2))], { group: 2 }, ['y']);
    grouped.output('y');
    assert.deepEqual(ops(grouped.build({ opset: 17 })), ['Conv', 'Conv']);
  });

  for (const c of CASES) {
    for (const backend of ['js', 'wasm']) {
      it(`${label(c)}: ${backend} equals onnxruntime`, { skip }, async () => {
        const r = await differential(model(c), { x: rnd(c.x, 3, -2, 2) }, TOL, backend);
        assert.deepEqual(r.mismatches, []);
      });
    }
  }
  for (const c of THREADED) {
    it(`2 threads = 1 thread, and the reference: ${label(c)}`, async () => {
      await wasmMatchesReference(model(c), { x: rnd(c.x, 3, -2, 2) }, TOL);
    });
  }
});
