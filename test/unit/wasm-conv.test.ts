/**
 * The wasm engine's Conv kernels (Winograd F(4×4, 3×3), im2col + GEMM) and the
 * Conv → Add → activation fusion, against the reference backend and onnxruntime,
 * on many shapes: odd sizes, asymmetric pads, auto_pad, bias or none, residuals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { winogradPays, winogradWeights } from '../../src/backends/wasm/winograd-kernel.js';
import { buildGraph } from '../../src/graph/ir.js';
import { fuseActivations } from '../../src/graph/passes/fuse-activation.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from '../helpers/compare.js';
import { GraphBuilder, type AttrValue } from '../helpers/onnx-builder.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';
import { appendActivation, wasmMatchesReference } from '../helpers/wasm-check.js';

// rtol 1e-3 / atol 1e-4, as for the real models, plus an absolute error of 1e-4 of the
// output's scale (max |y|): Winograd's tile transforms sum 36 rounded products per
// output, so outputs that cancel to near 0 carry errors of the size of their terms.
const TOL: Tolerance = { rtol: 1e-3, atol: 1e-4 };
const SCALE_TOL = 1e-4;

function maxAbs(t: Tensor): number {
  let m = 0;
  for (const v of t.data as Float32Array) m = Math.max(m, Math.abs(v));
  return m;
}

const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => randomTensor('float32', dims, seed, lo, hi);

interface ConvCase {
  x: number[];
  /** Weight dims [M, C/group, kh, kw]. */
  w: number[];
  attrs?: Record<string, AttrValue>;
  bias?: boolean;
  /** Shape of a residual added to the Conv output (fed at run time), and which Add operand the Conv is. */
  residual?: number[];
  convSecond?: boolean;
  act?: 'Relu' | 'Clip';
}

function model(c: ConvCase): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const g = new GraphBuilder();
  g.input('x', 'float32', c.x);
  const feeds: Record<string, Tensor> = { x: rnd(c.x, 3, -2, 2) };
  const ins = ['x', g.init('w', rnd(c.w, 5))];
  if (c.bias) ins.push(g.init('b', rnd([c.w[0]!], 6)));
  g.node('Conv', ins, c.attrs ?? {}, ['c']);
  let y = 'c';
  if (c.residual) {
    g.input('z', 'float32', c.residual);
    feeds.z = rnd(c.residual, 9, -2, 2);
    g.node('Add', c.convSecond ? ['z', y] : [y, 'z'], {}, ['s']);
    y = 's';
  }
  y = appendActivation(g, y, c.act);
  g.output(y);
  return { bytes: g.build({ opset: 17 }), feeds };
}

async function check(c: ConvCase): Promise<void> {
  const { bytes, feeds } = model(c);
  const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
  const wasm = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const name = js.outputNames[0]!;
  const ref = (await js.run(feeds))[name]!, got = (await wasm.run(feeds))[name]!;
  assert.equal(compareTensors(got, ref, { rtol: TOL.rtol, atol: TOL.atol + SCALE_TOL * maxAbs(ref) }), undefined);
}

const label = (c: ConvCase) => `x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} ${JSON.stringify(c.attrs ?? {})}` +
  `${c.bias ? ' +bias' : ''}${c.residual ? ` +z${JSON.stringify(c.residual)}` : ''}${c.act ? ` → ${c.act}` : ''}`;

describe('wasm Conv: Winograd F(4×4, 3×3)', () => {
  const cases: ConvCase[] = [
    { x: [1, 16, 13, 17], w: [24, 16, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
    { x: [2, 32, 28, 28], w: [16, 32, 3, 3], attrs: { pads: [1, 1, 1, 1] }, act: 'Relu' },
    { x: [1, 20, 19, 21], w: [17, 20, 3, 3], attrs: { pads: [0, 2, 1, 0] }, bias: true, act: 'Clip' },
    { x: [1, 16, 18, 15], w: [16, 16, 3, 3], attrs: { auto_pad: 'SAME_LOWER' }, bias: true },
    { x: [1, 16, 22, 23], w: [32, 16, 3, 3], attrs: { auto_pad: 'VALID' } },
    { x: [1, 64, 56, 56], w: [64, 64, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, act: 'Relu' },
    { x: [1, 24, 16, 16], w: [24, 24, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, residual: [1, 24, 16, 16], act: 'Relu' },
    { x: [1, 24, 17, 13], w: [19, 24, 3, 3], attrs: { pads: [1, 1, 1, 1] }, residual: [1, 19, 17, 13], convSecond: true },
  ];
  for (const c of cases) it(label(c), () => check(c));

  it('is chosen where it pays: large maps with enough channels', () => {
    assert.ok(winogradPays(56, 56, 64, 64) && winogradPays(14, 14, 256, 256));
    assert.ok(!winogradPays(7, 7, 512, 512), '7×7 maps waste most of a 4×4 tile grid');
    assert.ok(!winogradPays(56, 56, 3, 64), 'too few channels to amortise the transforms');
  });

  it('weight transform: a centre tap of 1 gives U = outer product of G·[0,1,0]', () => {
    const w = new Float32Array(9);
    w[4] = 1;
    const u = new Float32Array(36);
    winogradWeights(w, 1, 1, u);
    const gc = [0, -1 / 6, 1 / 6, 1 / 12, -1 / 12, 0];
    for (let i = 0; i < 6; i++) for (let k = 0; k < 6; k++) assert.ok(Math.abs(u[i * 6 + k]! - gc[i]! * gc[k]!) < 1e-7);
  });
});

describe('wasm Conv: im2col + GEMM', () => {
  const cases: ConvCase[] = [
    { x: [1, 32, 14, 14], w: [48, 32, 1, 1], bias: true },
    // Few output channels: the image is read in place (pointwise kernel), with a column tail.
    { x: [1, 40, 9, 13], w: [24, 40, 1, 1], bias: true, act: 'Clip' },
    { x: [1, 16, 12, 12], w: [7, 16, 1, 1], residual: [1, 7, 12, 12], act: 'Relu' },
    { x: [2, 8, 5, 5], w: [16, 8, 1, 1], bias: true, residual: [2, 16, 5, 5] },
    { x: [2, 20, 9, 11], w: [12, 20, 1, 1], act: 'Relu' },
    { x: [1, 24, 15, 15], w: [40, 24, 1, 1], attrs: { strides: [2, 2] }, bias: true },
    { x: [1, 8, 17, 19], w: [16, 8, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] }, bias: true, act: 'Relu' },
    { x: [1, 3, 37, 41], w: [16, 3, 7, 7], attrs: { pads: [3, 3, 3, 3], strides: [2, 2] }, bias: true, act: 'Relu' },
    { x: [1, 12, 20, 20], w: [12, 6, 3, 3], attrs: { pads: [1, 1, 1, 1], group: 2 }, bias: true },
    { x: [1, 16, 9, 9], w: [16, 16, 3, 3], attrs: { pads: [2, 2, 2, 2], dilations: [2, 2] } },
    { x: [1, 512, 7, 7], w: [64, 512, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, act: 'Relu' },
    { x: [1, 6, 12, 30], w: [10, 6, 5, 3], attrs: { pads: [2, 1, 2, 1], strides: [1, 3] }, act: 'Clip' },
    { x: [1, 32, 14, 14], w: [64, 32, 1, 1], bias: true, residual: [1, 64, 14, 14], act: 'Relu' },
    { x: [1, 16, 12, 12], w: [32, 16, 1, 1], attrs: { strides: [2, 2] }, residual: [1, 32, 6, 6], convSecond: true, act: 'Clip' },
    // A broadcasting residual takes the reference path.
    { x: [1, 16, 10, 10], w: [8, 16, 1, 1], bias: true, residual: [1, 8, 1, 1], act: 'Relu' },
  ];
  for (const c of cases) it(label(c), () => check(c));
});

describe('wasm Conv: pointwise on a small map, pixels as the GEMM rows', () => {
  // Maps whose pixel count leaves a tenth or more of the last 8-pixel panel empty (7² = 49,
  // 5², 3², 1) with more than 32 output channels: Yᵀ = Xᵀ·Wᵀ between two transposes.
  const cases: ConvCase[] = [
    { x: [1, 40, 7, 7], w: [48, 40, 1, 1], bias: true },
    { x: [1, 64, 7, 7], w: [160, 64, 1, 1], bias: true, residual: [1, 160, 7, 7], act: 'Relu' },
    { x: [2, 36, 5, 5], w: [40, 36, 1, 1], residual: [2, 40, 5, 5], convSecond: true, act: 'Clip' },
    { x: [1, 33, 3, 3], w: [35, 33, 1, 1], bias: true, act: 'Relu' }, // channels not a multiple of 8
    { x: [1, 8, 1, 1], w: [64, 8, 1, 1], bias: true },
    { x: [1, 16, 7, 7], w: [40, 16, 1, 1], attrs: { auto_pad: 'SAME_UPPER' }, bias: true },
  ];
  for (const c of cases) it(label(c), () => check(c));
  it('x[1,320,7,7] w[1280,320,1,1] +bias → Relu, and +z → Clip: 1 and 2 threads equal, and match the reference', async () => {
    for (const c of [
      { x: [1, 320, 7, 7], w: [1280, 320, 1, 1], bias: true, act: 'Relu' },
      { x: [1, 160, 7, 7], w: [960, 160, 1, 1], residual: [1, 960, 7, 7], act: 'Clip' },
    ] satisfies ConvCase[]) {
      const { bytes, feeds } = model(c);
      await wasmMatchesReference(bytes, feeds, TOL);
    }
  });
});

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

describe('fusion: Conv → Add → activation', () => {
  it('Conv → Add → Relu becomes one FusedConv with the residual as input 3', () => {
    const { bytes } = model({ x: [1, 4, 6, 6], w: [4, 4, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, residual: [1, 4, 6, 6], act: 'Relu' });
    const g = fuseActivations(irOf(bytes));
    assert.deepEqual(g.nodes.map((n) => `${n.domain}::${n.opType}`), ['com.wasmnn::FusedConv']);
    assert.deepEqual(g.nodes[0]!.inputs, ['x', 'w', 'b', 'z']);
    assert.deepEqual(g.nodes[0]!.outputs, ['y']);
  });
  it('Conv → Add with no activation fuses the Add alone', () => {
    const { bytes } = model({ x: [1, 4, 6, 6], w: [4, 4, 1, 1], residual: [1, 4, 6, 6], convSecond: true });
    const g = fuseActivations(irOf(bytes));
    assert.deepEqual(g.nodes.map((n) => n.opType), ['FusedConv']);
    assert.deepEqual(g.nodes[0]!.inputs, ['x', 'w', '', 'z']);
    assert.equal((g.nodes[0]!.attrs as { activation: string }).activation, 'None');
  });
  it('keeps the Add when the Conv output has another reader', () => {
    const g0 = new GraphBuilder();
    g0.input('x', 'float32', [1, 4, 6, 6]);
    g0.input('z', 'float32', [1, 4, 6, 6]);
    g0.node('Conv', ['x', g0.init('w', rnd([4, 4, 1, 1], 1))], {}, ['c']);
    g0.node('Add', ['c', 'z'], {}, ['s']);
    g0.node('Relu', ['s'], {}, ['y']);
    g0.output('y');
    g0.output('c');
    const g = fuseActivations(irOf(g0.build({ opset: 17 })));
    assert.deepEqual(g.nodes.map((n) => n.opType), ['Conv', 'Add', 'Relu']);
  });
  for (const backend of ['js', 'wasm'] as const) {
    for (const c of [
      { x: [1, 16, 12, 12], w: [16, 16, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true, residual: [1, 16, 12, 12], act: 'Relu' },
      { x: [2, 8, 7, 9], w: [8, 8, 1, 1], residual: [1, 8, 1, 9], convSecond: true, act: 'Relu' },
    ] as ConvCase[]) {
      it(`${backend}: ${label(c)} equals onnxruntime`, { skip: oracle ? false : 'onnxruntime-node not installed' }, async () => {
        const { bytes, feeds } = model(c);
        const r = await differential(bytes, feeds, TOL, backend);
        assert.deepEqual(r.mismatches, []);
      });
    }
  }
});

describe('wasm Conv: activations resident in engine memory', () => {
  /**
   * x → a → b → c (+ a) → Relu, with `a` also a graph output, then `fan` branches
   * f_i = Conv(c), all made before any is read by g_i = Conv(f_i), concatenated.
   */
  function chain(fan: number): Uint8Array {
    const g = new GraphBuilder();
    g.input('x', 'float32', [1, 8, 12, 12]);
    g.node('Conv', ['x', g.init('wa', rnd([16, 8, 3, 3], 21))], { pads: [1, 1, 1, 1] }, ['a']);
    g.node('Conv', ['a', g.init('wb', rnd([16, 1, 3, 3], 22))], { pads: [1, 1, 1, 1], group: 16 }, ['b']);
    g.node('Conv', ['b', g.init('wc', rnd([16, 16, 1, 1], 23))], {}, ['cc']);
    g.node('Add', ['cc', 'a'], {}, ['s']);
    g.node('Relu', ['s'], {}, ['c']);
    // With many branches, many values are live at once: the plan gives each its own bytes.
    for (let i = 0; i < fan; i++) g.node('Conv', ['c', g.init(`wf${i}`, rnd([16, 16, 1, 1], 30 + i))], {}, [`f${i}`]);
    for (let i = 0; i < fan; i++) g.node('Conv', [`f${i}`, g.init(`wg${i}`, rnd([4, 16, 3, 3], 60 + i))], { pads: [1, 1, 1, 1] }, [`g${i}`]);
    g.node('Concat', Array.from({ length: fan }, (_, i) => `g${i}`), { axis: 1 }, ['y']);
    g.output('y');
    g.output('a');
    return g.build({ opset: 17 });
  }

  for (const fan of [1, 12]) {
    it(`outputs stay correct across runs (${fan} branch${fan > 1 ? 'es, all live at once' : ''})`, async () => {
      const bytes = chain(fan);
      const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
      const wasm = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const feeds = [rnd([1, 8, 12, 12], 1), rnd([1, 8, 12, 12], 2)];
      // Run twice before reading anything: the first run's outputs must survive the second run.
      const got = [await wasm.run({ x: feeds[0]! }), await wasm.run({ x: feeds[1]! })];
      for (let i = 0; i < 2; i++) {
        const ref = await js.run({ x: feeds[i]! });
        for (const name of js.outputNames) {
          const r = ref[name]!;
          assert.equal(compareTensors(got[i]![name]!, r, { rtol: TOL.rtol, atol: TOL.atol + SCALE_TOL * maxAbs(r) }, name), undefined);
        }
      }
    });
  }
});
