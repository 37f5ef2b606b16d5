/**
 * The engine GEMM behind MatMul: operands computed at run time (batched, broadcast,
 * vectors), constant batched weights, and MatMul + bias fusion, against the reference kernel.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { buildGraph } from '../../src/graph/ir.js';
import { fuseMatMulBias } from '../../src/graph/passes/fuse-matmul-bias.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from '../helpers/compare.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';
import { repoRoot } from '../helpers/shared.js';
import { appendActivation, sameBits, wasmMatchesReference } from '../helpers/wasm-check.js';

const TOL: Tolerance = { rtol: 1e-4, atol: 1e-4 };

async function both(model: Uint8Array, feeds: Record<string, Tensor>): Promise<[Tensor, Tensor]> {
  const js = await InferenceSession.create(model, { executionProviders: ['js'] });
  const wasm = await InferenceSession.create(model, { executionProviders: ['wasm'] });
  assert.match(wasm.backendReason, /WebAssembly/);
  const name = js.outputNames[0]!;
  return [(await js.run(feeds))[name]!, (await wasm.run(feeds))[name]!];
}

describe('wasm GEMM: MatMul with both operands at run time', () => {
  const cases: [number[], number[]][] = [
    [[1, 12, 128, 64], [1, 12, 64, 128]], // attention Q·Kᵀ
    [[1, 12, 128, 128], [1, 12, 128, 64]], // attention P·V
    [[3, 5, 7], [3, 7, 9]],
    [[2, 1, 6, 13], [1, 4, 13, 17]], // both sides broadcast
    [[4, 9, 33], [33, 10]], // B shared: A's batches fold into one GEMM
    [[9, 33], [3, 33, 10]], // A broadcast over B's batches
    [[2, 3, 1, 16], [3, 16, 1]], // M = N = 1
    [[7], [7]], // vector · vector
    [[7], [2, 7, 5]], // vector · batched matrix
    [[2, 3, 11], [11]], // batched matrix · vector
    [[1, 1], [1, 1]],
    [[5, 300, 8], [5, 8, 301]],
    // K beyond one K block (1024) with partial 8-column panels: partial rows of C re-read between blocks.
    [[3, 1100], [1100, 11]],
    [[2, 6, 1030], [1030, 7]],
    [[2, 5, 2100], [2, 2100, 6]],
    // Blocks of ≥ 32 rows over 256–768 k-steps load the next panel's lines between 4-row
    // groups: an odd K (the last line half used), a partial last panel, K = 768 exactly.
    [[37, 257], [257, 19]],
    [[2, 64, 768], [768, 24]],
    [[40, 300], [300, 9]],
  ];
  for (const [ad, bd] of cases) {
    it(`MatMul ${JSON.stringify(ad)} × ${JSON.stringify(bd)}`, async () => {
      const g = new GraphBuilder();
      g.input('a', 'float32', ad);
      g.input('b', 'float32', bd);
      g.node('MatMul', ['a', 'b'], {}, ['y']);
      g.output('y');
      const feeds = { a: randomTensor('float32', ad, 11), b: randomTensor('float32', bd, 12) };
      const [ref, got] = await both(g.build(), feeds);
      assert.deepEqual(got.dims, ref.dims);
      assert.equal(compareTensors(got, ref, TOL), undefined);
    });
  }

  it('K = 0 gives zeros (reference path), and runs repeat with other shapes', async () => {
    const g = new GraphBuilder();
    g.input('a', 'float32', ['b', 'm', 'k']);
    g.input('b', 'float32', ['b', 'k', 'n']);
    g.node('MatMul', ['a', 'b'], {}, ['y']);
    g.output('y');
    const model = g.build();
    for (const [b, m, k, n] of [[2, 3, 0, 4], [2, 40, 20, 30], [1, 3, 5, 2], [3, 64, 64, 64]]) {
      const feeds = { a: randomTensor('float32', [b!, m!, k!], 21), b: randomTensor('float32', [b!, k!, n!], 22) };
      const [ref, got] = await both(model, feeds);
      assert.deepEqual(got.dims, [b, m, n]);
      assert.equal(compareTensors(got, ref, TOL), undefined);
    }
  });
});

describe('wasm GEMM: MatMul with a constant batched or vector B', () => {
  const cases: [number[], number[]][] = [
    [[2, 12, 10, 16], [12, 16, 24]],
    [[5, 16], [3, 16, 9]],
    [[4, 6, 19], [19]],
    [[3, 8, 40], [1, 40, 8]],
  ];
  for (const [ad, wd] of cases) {
    it(`MatMul ${JSON.stringify(ad)} × const ${JSON.stringify(wd)}`, async () => {
      const g = new GraphBuilder();
      g.input('a', 'float32', ad);
      g.init('w', randomTensor('float32', wd, 13));
      g.node('MatMul', ['a', 'w'], {}, ['y']);
      g.output('y');
      const feeds = { a: randomTensor('float32', ad, 14) };
      const model = g.build();
      const [ref, got] = await both(model, feeds);
      assert.equal(compareTensors(got, ref, TOL), undefined);
    });
  }
});

describe('wasm GEMM: fewer rows than the micro-kernel (four panels at once)', () => {
  // [rows, k, n]: a classifier on one image; groups of four 8-column panels with and without a
  // partial last panel; K beyond one K block (partial rows of C re-read between blocks).
  const cases: [number, number, number, ('Relu' | 'Clip')?][] = [
    [1, 1280, 1000],
    [1, 5, 8],
    [2, 37, 29],
    [3, 1100, 70, 'Clip'],
    [1, 2100, 33],
    [2, 64, 256, 'Relu'],
  ];
  for (const [m, k, n, act] of cases) {
    it(`Gemm ${m}×${k} · (${n}×${k})ᵀ + bias${act ? ` + ${act}` : ''}: 1 and 2 threads equal, and match the reference`, async () => {
      const g = new GraphBuilder();
      g.input('a', 'float32', [m, k]);
      g.init('w', randomTensor('float32', [n, k], 41));
      g.init('b', randomTensor('float32', [n], 42));
      g.node('Gemm', ['a', 'w', 'b'], { transB: 1 }, ['p']);
      g.output(appendActivation(g, 'p', act));
      await wasmMatchesReference(g.build({ opset: 17 }), { a: randomTensor('float32', [m, k], 43) }, TOL);
    });
  }
  it('a Conv with 3 output channels (bias per row) over 11 panels', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [1, 4, 9, 9]);
    g.init('w', randomTensor('float32', [3, 4, 3, 3], 44));
    g.init('b', randomTensor('float32', [3], 45));
    g.node('Conv', ['x', 'w', 'b'], { pads: [1, 1, 1, 1] }, ['y']);
    g.output('y');
    await wasmMatchesReference(g.build({ opset: 17 }), { x: randomTensor('float32', [1, 4, 9, 9], 46) }, TOL);
  });
});

describe('wasm GEMM: relaxed split jobs read A packed in 4-row groups', () => {
  // Only the relaxed engine packs (Node 20 validates it only with a flag), so the sessions run
  // in a child process started with --experimental-wasm-relaxed-simd. [rows, k, n]: rows past
  // the last whole group and k not a multiple of 4 (both packing tails), K beyond one K block,
  // row and column splits; the last model adds a residual in the same task.
  const cases: [number, number, number, ('Relu' | 'Clip')?][] = [
    [130, 1030, 64],
    [37, 300, 200],
    [64, 257, 96, 'Relu'],
    [8, 1024, 1000, 'Clip'],
  ];
  const models: { name: string; bytes: Uint8Array; feeds: Record<string, Tensor> }[] = cases.map(([m, k, n, act]) => {
    const g = new GraphBuilder();
    g.input('a', 'float32', [m, k]);
    g.init('w', randomTensor('float32', [k, n], 51));
    g.init('b', randomTensor('float32', [n], 52));
    g.node('MatMul', ['a', 'w'], {}, ['p']);
    g.node('Add', ['p', 'b'], {}, ['q']);
    g.output(appendActivation(g, 'q', act));
    return { name: `MatMul ${m}×${k} · const ${k}×${n} + bias${act ? ` + ${act}` : ''}`, bytes: g.build({ opset: 17 }), feeds: { a: randomTensor('float32', [m, k], 53) } };
  });
  {
    const g = new GraphBuilder();
    g.input('a', 'float32', [1, 66, 256]);
    g.input('r', 'float32', [1, 66, 96]);
    g.init('w', randomTensor('float32', [256, 96], 54));
    g.init('b', randomTensor('float32', [96], 55));
    g.node('MatMul', ['a', 'w'], {}, ['p']);
    g.node('Add', ['p', 'b'], {}, ['q']);
    g.node('Add', ['q', 'r'], {}, ['y']);
    g.output('y');
    models.push({ name: 'MatMul + bias + residual (a transformer block\'s output projection)', bytes: g.build({ opset: 17 }),
      feeds: { a: randomTensor('float32', [1, 66, 256], 56), r: randomTensor('float32', [1, 66, 96], 57) } });
  }
  it('1 and 2 threads give the same bits and match the reference kernels', () => {
    const payload = models.map((m) => ({ bytes: Array.from(m.bytes),
      feeds: Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, { data: Array.from(t.data as Float32Array), dims: t.dims }])) }));
    const script = `
      import { readFileSync } from 'node:fs';
      const { InferenceSession, Tensor } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src/index.ts')).href)});
      const out = [];
      for (const m of JSON.parse(readFileSync(0, 'utf8'))) {
        const feeds = Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, new Tensor('float32', Float32Array.from(t.data), t.dims)]));
        const r = {};
        for (const [key, opts] of [['js', { executionProviders: ['js'] }], ['one', { executionProviders: ['wasm'], intraOpNumThreads: 1 }],
          ['two', { executionProviders: ['wasm'], intraOpNumThreads: 2 }]]) {
          const s = await InferenceSession.create(new Uint8Array(m.bytes), opts);
          await s.run(feeds); // the pool starts on the first split job; the second run uses it
          const y = (await s.run(feeds))[s.outputNames[0]];
          r[key] = { data: Array.from(y.data), dims: y.dims, reason: s.backendReason };
          await s.release();
        }
        out.push(r);
      }
      console.log(JSON.stringify(out));`;
    const raw = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: repoRoot, encoding: 'utf8', input: JSON.stringify(payload), maxBuffer: 64 << 20 });
    type Out = { data: number[]; dims: number[]; reason: string };
    const results = JSON.parse(raw.trim().split('\n').at(-1)!) as Record<'js' | 'one' | 'two', Out>[];
    const tensor = (o: Out) => new Tensor('float32', Float32Array.from(o.data), o.dims);
    results.forEach((r, i) => {
      const name = models[i]!.name;
      assert.match(r.two.reason, /relaxed/i, `${name}: ran on ${r.two.reason}`);
      assert.ok(sameBits(tensor(r.one), tensor(r.two)), `${name}: differs between 1 and 2 threads`);
      assert.equal(compareTensors(tensor(r.two), tensor(r.js), TOL), undefined, name);
    });
  });
});

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

interface BiasCase {
  a: number[];
  w: number[];
  bias: number[];
  /** The bias as Add's first input (as PyTorch exports Linear). */
  biasFirst?: boolean;
  /** The product has a second reader, so it must stay. */
  branch?: boolean;
  /** W is a graph input, not a constant. */
  wInput?: boolean;
}

function matmulAdd(c: BiasCase): Uint8Array {
  const g = new GraphBuilder();
  g.input('a', 'float32', c.a);
  if (c.wInput) g.input('w', 'float32', c.w);
  else g.init('w', randomTensor('float32', c.w, 31));
  g.init('bias', randomTensor('float32', c.bias, 32));
  g.node('MatMul', ['a', 'w'], {}, ['p']);
  g.node('Add', c.biasFirst ? ['bias', 'p'] : ['p', 'bias'], {}, ['y']);
  g.output('y');
  if (c.branch) { g.node('Neg', ['p'], {}, ['side']); g.output('side'); }
  return g.build({ opset: 17 });
}

describe('MatMul + bias fusion', () => {
  const fused: BiasCase[] = [
    { a: [1, 128, 64], w: [64, 96], bias: [96], biasFirst: true },
    { a: [3, 7, 33], w: [33, 21], bias: [1, 21] },
    { a: [5, 20], w: [20, 19], bias: [1, 1, 1, 19] }, // a higher-rank bias adds leading 1s
    { a: [20], w: [20, 8], bias: [8] }, // vector A
    { a: [2, 2, 9, 300], w: [300, 1], bias: [1] },
    { a: [6, 2100], w: [2100, 13], bias: [13] }, // bias added once, before three K blocks
  ];
  for (const c of fused) {
    it(`fuses MatMul ${JSON.stringify(c.a)} × ${JSON.stringify(c.w)} + ${JSON.stringify(c.bias)}; wasm and js equal onnxruntime`, { skip: !oracle }, async () => {
      const model = matmulAdd(c);
      const g = fuseMatMulBias(irOf(model));
      assert.deepEqual(g.nodes.map((n) => n.opType), ['FusedMatMul']);
      const feeds = { a: randomTensor('float32', c.a, 33) };
      for (const backend of ['wasm', 'js']) {
        const r = await differential(model, feeds, TOL, backend);
        assert.deepEqual(r.mismatches, [], backend);
      }
    });
  }

  const kept: [string, BiasCase][] = [
    ['the product has another reader', { a: [4, 16], w: [16, 8], bias: [8], branch: true }],
    ['the bias varies per row', { a: [4, 16], w: [16, 8], bias: [4, 8] }],
    ['the bias is a column', { a: [8, 16], w: [16, 8], bias: [8, 1] }],
    ['W is not a constant', { a: [4, 16], w: [16, 8], bias: [8], wInput: true }],
  ];
  for (const [why, c] of kept) {
    it(`keeps MatMul and Add when ${why}`, { skip: !oracle }, async () => {
      const model = matmulAdd(c);
      const g = fuseMatMulBias(irOf(model));
      assert.ok(g.nodes.some((n) => n.opType === 'Add') && g.nodes.some((n) => n.opType === 'MatMul'));
      const feeds: Record<string, Tensor> = { a: randomTensor('float32', c.a, 34) };
      if (c.wInput) feeds.w = randomTensor('float32', c.w, 35);
      const r = await differential(model, feeds, TOL, 'wasm');
      assert.deepEqual(r.mismatches, []);
    });
  }
});
