/**
 * Exporter-pattern passes: no-op/dead-node elimination, GELU, LayerNormalization and
 * attention fusion. Each case checks the rewritten graph's ops and that outputs still equal
 * onnxruntime's on both backends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph, type IrGraph } from '../../src/graph/ir.js';
import { eliminateNoOps } from '../../src/graph/passes/eliminate.js';
import { fuseAttention } from '../../src/graph/passes/fuse-attention.js';
import { fuseGelu } from '../../src/graph/passes/fuse-gelu.js';
import { fuseLayerNorm } from '../../src/graph/passes/fuse-layernorm.js';
import { optimizeGraph } from '../../src/graph/passes/optimize.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { InferenceSession } from '../../src/index.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';

function irOf(bytes: Uint8Array): IrGraph {
  const m = decodeModel(bytes);
  const opsets = new Map(m.opsetImports.map((o) => [o.domain, o.version]));
  return buildGraph(m.graph, { registry: defaultRegistry, opsets, functions: new Map() });
}
const ops = (g: IrGraph) => g.nodes.map((n) => n.opType);
const scalar = (v: number) => new Tensor('float32', [v], []);
const skip = oracle ? false : 'onnxruntime-node not installed';
const TOL = { rtol: 1e-4, atol: 1e-5 };

/** Builds a model with one float input `x` of `shape`; `body` adds nodes and returns the output names. */
function model(shape: number[], opset: number, body: (g: GraphBuilder) => string[]): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', shape);
  for (const o of body(g)) g.output(o);
  return g.build({ opset });
}

/** Checks the passes' result on the model, then compares it with onnxruntime on js and wasm. */
function check(name: string, bytes: Uint8Array, shape: number[], pass: (g: IrGraph) => IrGraph, want: string[]): void {
  it(`${name}: becomes ${want.join(', ') || 'nothing'}`, () => {
    assert.deepEqual(ops(pass(irOf(bytes))), want);
  });
  for (const backend of ['js', 'wasm']) {
    it(`${name}: ${backend} equals onnxruntime`, { skip }, async () => {
      const r = await differential(bytes, { x: randomTensor('float32', shape, 11) }, TOL, backend);
      assert.deepEqual(r.mismatches, []);
    });
  }
}

describe('eliminate: Identity, inference Dropout, dead nodes', () => {
  check('Identity between nodes', model([2, 5], 17, (g) => {
    g.node('Relu', ['x'], {}, ['a']);
    g.node('Identity', ['a'], {}, ['b']);
    g.node('Identity', ['b'], {}, ['c']);
    g.node('Neg', ['c'], {}, ['y']);
    return ['y'];
  }), [2, 5], eliminateNoOps, ['Relu', 'Neg']);

  it('an Identity making a graph output hands its name to the producer', () => {
    const g = eliminateNoOps(irOf(model([3], 17, (b) => {
      b.node('Relu', ['x'], {}, ['a']);
      b.node('Identity', ['a'], {}, ['y']);
      b.node('Neg', ['a'], {}, ['z']);
      return ['y', 'z'];
    })));
    assert.deepEqual(g.nodes.map((n) => [n.opType, n.inputs, n.outputs]), [['Relu', ['x'], ['y']], ['Neg', ['y'], ['z']]]);
  });

  check('Identity from a graph input to an output, and between two outputs, stays', model([4], 17, (g) => {
    g.node('Identity', ['x'], {}, ['y']);
    g.node('Relu', ['x'], {}, ['a']);
    g.node('Identity', ['a'], {}, ['b']);
    return ['y', 'a', 'b'];
  }), [4], eliminateNoOps, ['Identity', 'Relu', 'Identity']);

  check('Dropout-12 without training_mode', model([2, 3], 13, (g) => {
    g.init('ratio', scalar(0.3));
    g.node('Dropout', ['x', 'ratio'], {}, ['d']);
    g.node('Abs', ['d'], {}, ['y']);
    return ['y'];
  }), [2, 3], eliminateNoOps, ['Abs']);

  check('Dropout-10 whose mask is unused', model([2, 3], 10, (g) => {
    g.node('Dropout', ['x'], { ratio: { float: 0.2 } }, ['d', 'mask']);
    g.node('Abs', ['d'], {}, ['y']);
    return ['y'];
  }), [2, 3], eliminateNoOps, ['Abs']);

  check('Dropout whose mask is an output stays', model([2, 3], 13, (g) => {
    g.node('Dropout', ['x'], {}, ['y', 'mask']);
    return ['y', 'mask'];
  }), [2, 3], eliminateNoOps, ['Dropout']);

  it('Dropout with a run-time training_mode stays', () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', [3]);
    b.input('t', 'bool', []);
    b.node('Dropout', ['x', '', 't'], {}, ['y']);
    b.output('y');
    assert.deepEqual(ops(eliminateNoOps(irOf(b.build({ opset: 13 })))), ['Dropout']);
  });

  check('dead nodes', model([2, 2], 17, (g) => {
    g.node('Exp', ['x'], {}, ['unused']);
    g.node('Neg', ['unused'], {}, ['unused2']);
    g.node('Abs', ['x'], {}, ['y']);
    return ['y'];
  }), [2, 2], eliminateNoOps, ['Abs']);

  it('keeps an Identity whose output a subgraph reads', () => {
    const branch = (op: string) => {
      const s = new GraphBuilder(op);
      s.node(op, ['b'], {}, [`${op}_out`]);
      s.output(`${op}_out`, 'float32');
      return { graph: s };
    };
    const b = new GraphBuilder();
    b.input('x', 'float32', [3]);
    b.input('c', 'bool', []);
    b.node('Identity', ['x'], {}, ['b']);
    b.node('If', ['c'], { then_branch: branch('Neg'), else_branch: branch('Abs') }, ['y']);
    b.output('y');
    assert.deepEqual(ops(eliminateNoOps(irOf(b.build()))), ['Identity', 'If']);
  });
});

/** x·0.5·(1 + erf(x/√2)) in the grouping `form`. */
function erfGelu(form: 'torch' | 'half-first' | 'half-on-sum', opset = 13): Uint8Array {
  return model([2, 3, 8], opset, (g) => {
    g.init('half', scalar(0.5));
    g.init('one', scalar(1));
    if (form === 'torch') {
      g.init('sqrt2', scalar(Math.SQRT2));
      g.node('Div', ['x', 'sqrt2'], {}, ['s']);
    } else {
      g.init('isqrt2', scalar(Math.SQRT1_2));
      g.node('Mul', ['isqrt2', 'x'], {}, ['s']);
    }
    g.node('Erf', ['s'], {}, ['e']);
    g.node('Add', ['one', 'e'], {}, ['p']);
    if (form === 'torch') {
      g.node('Mul', ['x', 'p'], {}, ['xp']);
      g.node('Mul', ['xp', 'half'], {}, ['y']);
    } else if (form === 'half-first') {
      g.node('Mul', ['half', 'x'], {}, ['hx']);
      g.node('Mul', ['p', 'hx'], {}, ['y']);
    } else {
      g.node('Mul', ['p', 'half'], {}, ['hp']);
      g.node('Mul', ['hp', 'x'], {}, ['y']);
    }
    return ['y'];
  });
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), x³ as Pow or as x·(x·x). */
function tanhGelu(cube: 'pow' | 'mul'): Uint8Array {
  return model([4, 16], 13, (g) => {
    g.init('half', scalar(0.5));
    g.init('one', scalar(1));
    g.init('k', scalar(0.044715));
    g.init('beta', scalar(Math.sqrt(2 / Math.PI)));
    if (cube === 'pow') {
      g.init('three', scalar(3));
      g.node('Pow', ['x', 'three'], {}, ['x3']);
    } else {
      g.node('Mul', ['x', 'x'], {}, ['x2']);
      g.node('Mul', ['x', 'x2'], {}, ['x3']);
    }
    g.node('Mul', ['k', 'x3'], {}, ['kx3']);
    g.node('Add', ['x', 'kx3'], {}, ['inner']);
    g.node('Mul', ['beta', 'inner'], {}, ['u']);
    g.node('Tanh', ['u'], {}, ['t']);
    g.node('Add', ['one', 't'], {}, ['p']);
    g.node('Mul', ['x', 'p'], {}, ['xp']);
    g.node('Mul', ['half', 'xp'], {}, ['y']);
    return ['y'];
  });
}

describe('fuse-gelu', () => {
  check('erf GELU as PyTorch exports it (opset 13)', erfGelu('torch'), [2, 3, 8], fuseGelu, ['Gelu']);
  check('erf GELU with x·(1/√2) and 0.5·x first', erfGelu('half-first'), [2, 3, 8], fuseGelu, ['Gelu']);
  check('erf GELU with 0.5 on (1 + erf)', erfGelu('half-on-sum'), [2, 3, 8], fuseGelu, ['Gelu']);
  check('tanh GELU with Pow(x, 3)', tanhGelu('pow'), [4, 16], fuseGelu, ['Gelu']);
  check('tanh GELU with x·x·x', tanhGelu('mul'), [4, 16], fuseGelu, ['Gelu']);

  it('sets approximate="tanh" only for the tanh form', () => {
    assert.deepEqual(irOfFused(tanhGelu('pow')), [1]);
    assert.deepEqual(irOfFused(erfGelu('torch')), [0]);
  });

  check('an intermediate with another reader blocks the fusion', model([5], 13, (g) => {
    g.init('sqrt2', scalar(Math.SQRT2));
    g.init('half', scalar(0.5));
    g.init('one', scalar(1));
    g.node('Div', ['x', 'sqrt2'], {}, ['s']);
    g.node('Erf', ['s'], {}, ['e']);
    g.node('Add', ['e', 'one'], {}, ['p']);
    g.node('Mul', ['x', 'p'], {}, ['xp']);
    g.node('Mul', ['xp', 'half'], {}, ['y']);
    return ['y', 'e'];
  }), [5], fuseGelu, ['Div', 'Erf', 'Add', 'Mul', 'Mul']);

  check('a wrong constant blocks the fusion', model([5], 13, (g) => {
    g.init('c', scalar(1.3));
    g.init('half', scalar(0.5));
    g.init('one', scalar(1));
    g.node('Div', ['x', 'c'], {}, ['s']);
    g.node('Erf', ['s'], {}, ['e']);
    g.node('Add', ['e', 'one'], {}, ['p']);
    g.node('Mul', ['x', 'p'], {}, ['xp']);
    g.node('Mul', ['xp', 'half'], {}, ['y']);
    return ['y'];
  }), [5], fuseGelu, ['Div', 'Erf', 'Add', 'Mul', 'Mul']);
});

function irOfFused(bytes: Uint8Array): unknown {
  return fuseGelu(irOf(bytes)).nodes[0]!.attrs;
}

/** LayerNorm decomposed as exporters write it before opset 17. */
function decomposedLayerNorm(opts: { opset: number; square: 'pow' | 'mul'; affine: boolean; axes?: number[]; shape?: number[]; reciprocal?: boolean }): Uint8Array {
  const shape = opts.shape ?? [2, 3, 16];
  const axes = opts.axes ?? [-1];
  const n = shape[shape.length - 1]!;
  return model(shape, opts.opset, (g) => {
    const reduce = (x: string, out: string) => {
      if (opts.opset >= 18) g.node('ReduceMean', [x, g.init(`${out}_axes`, new Tensor('int64', BigInt64Array.from(axes, BigInt), [axes.length]))], {}, [out]);
      else g.node('ReduceMean', [x], { axes }, [out]);
    };
    reduce('x', 'm');
    g.node('Sub', ['x', 'm'], {}, ['d']);
    if (opts.square === 'pow') g.node('Pow', ['d', g.init('two', scalar(2))], {}, ['d2']);
    else g.node('Mul', ['d', 'd'], {}, ['d2']);
    reduce('d2', 'v');
    g.node('Add', ['v', g.init('eps', scalar(1e-5))], {}, ['ve']);
    g.node('Sqrt', ['ve'], {}, ['sd']);
    const normed = opts.affine ? 'nrm' : 'y';
    if (opts.reciprocal) {
      g.node('Reciprocal', ['sd'], {}, ['inv']);
      g.node('Mul', ['inv', 'd'], {}, [normed]);
    } else g.node('Div', ['d', 'sd'], {}, [normed]);
    if (opts.affine) {
      g.node('Mul', [g.init('gamma', randomTensor('float32', [n], 3, 0.5, 2)), 'nrm'], {}, ['sc']);
      g.node('Add', ['sc', g.init('beta', randomTensor('float32', [n], 4))], {}, ['y']);
    }
    return ['y'];
  });
}

describe('fuse-layernorm', () => {
  check('opset 13, axes attribute, Pow, gamma and beta', decomposedLayerNorm({ opset: 13, square: 'pow', affine: true }), [2, 3, 16], fuseLayerNorm, ['LayerNormalization']);
  check('opset 18, axes input, d·d, no gamma or beta', decomposedLayerNorm({ opset: 18, square: 'mul', affine: false }), [2, 3, 16], fuseLayerNorm, ['LayerNormalization']);
  check('d·d and d · 1/√(v + ε), with gamma and beta', decomposedLayerNorm({ opset: 13, square: 'mul', affine: true, reciprocal: true }), [2, 3, 16], fuseLayerNorm, ['LayerNormalization']);
  check('positive trailing axes [1, 2]', decomposedLayerNorm({ opset: 13, square: 'pow', affine: false, axes: [1, 2], shape: [2, 4, 8] }), [2, 4, 8], fuseLayerNorm, ['LayerNormalization']);
  check('a middle axis is not a LayerNorm', decomposedLayerNorm({ opset: 13, square: 'pow', affine: false, axes: [1] }), [2, 3, 16], fuseLayerNorm,
    ['ReduceMean', 'Sub', 'Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div']);
});

describe('optimizeGraph', () => {
  it('folds, eliminates and fuses in one call (GELU behind an Identity of its constant)', () => {
    const g = optimizeGraph(irOf(model([2, 8], 13, (b) => {
      b.init('sqrt2_raw', scalar(Math.SQRT2));
      b.node('Identity', ['sqrt2_raw'], {}, ['sqrt2']);
      b.init('half', scalar(0.5));
      b.init('one', scalar(1));
      b.node('Div', ['x', 'sqrt2'], {}, ['s']);
      b.node('Erf', ['s'], {}, ['e']);
      b.node('Add', ['e', 'one'], {}, ['p']);
      b.node('Mul', ['x', 'p'], {}, ['xp']);
      b.node('Mul', ['xp', 'half'], {}, ['g']);
      b.node('Identity', ['g'], {}, ['y']);
      return ['y'];
    })));
    assert.deepEqual(g.nodes.map((n) => [n.opType, n.outputs]), [['Gelu', ['y']]]);
  });
});

/** BERT-style attention on x [B, S, H·D]: heads split by Reshape/Transpose, Kᵀ by Transpose perm [0, 2, 3, 1]. */
function bertAttention(opts: { scale: 'div' | 'mul' | 'none'; mask: 'input' | 'const' | 'column' | 'none'; maskFirst?: boolean; merge?: boolean }, [B, S, H, D] = [2, 5, 3, 4]): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [B, S, H * D]);
  if (opts.mask === 'input') g.input('mask', 'float32', [B, 1, 1, S]);
  const heads = g.init('heads', new Tensor('int64', BigInt64Array.from([B, S, H, D].map(BigInt)), [4]));
  const proj = (name: string, seed: number) => {
    g.node('MatMul', ['x', g.init(`w${name}`, randomTensor('float32', [H * D, H * D], seed, -0.5, 0.5))], {}, [`${name}p`]);
    g.node('Reshape', [`${name}p`, heads], {}, [`${name}r`]);
    return `${name}r`;
  };
  g.node('Transpose', [proj('q', 21)], { perm: [0, 2, 1, 3] }, ['q']);
  g.node('Transpose', [proj('k', 22)], { perm: [0, 2, 3, 1] }, ['kt']);
  g.node('Transpose', [proj('v', 23)], { perm: [0, 2, 1, 3] }, ['v']);
  g.node('MatMul', ['q', 'kt'], {}, ['qk']);
  let s = 'qk';
  if (opts.scale === 'div') g.node('Div', ['qk', g.init('c', scalar(Math.sqrt(D)))], {}, [s = 'scaled']);
  if (opts.scale === 'mul') g.node('Mul', [g.init('c', scalar(1 / Math.sqrt(D))), 'qk'], {}, [s = 'scaled']);
  if (opts.mask !== 'none') {
    // 'column' varies along the query axis only, so each score row adds one broadcast value.
    const m = opts.mask === 'input' ? 'mask' : g.init('mask', randomTensor('float32', opts.mask === 'column' ? [S, 1] : [S, S], 24, -4, 0));
    g.node('Add', opts.maskFirst ? [m, s] : [s, m], {}, [s = 'masked']);
  }
  g.node('Softmax', [s], { axis: -1 }, ['probs']);
  g.node('MatMul', ['probs', 'v'], {}, ['ctx']);
  g.node('Transpose', ['ctx'], { perm: [0, 2, 1, 3] }, [opts.merge ? 'yt' : 'y']);
  // As BERT continues: the heads merged back into [B, S, H·D] for the output projection.
  if (opts.merge) g.node('Reshape', ['yt', g.init('merged', new Tensor('int64', BigInt64Array.from([B, S, H * D].map(BigInt)), [3]))], {}, ['y']);
  g.output('y');
  return g.build({ opset: 13 });
}

describe('fuse-attention', () => {
  const feeds = () => ({ x: randomTensor('float32', [2, 5, 12], 25, -1, 1), mask: randomTensor('float32', [2, 1, 1, 5], 26, -10000, 0) });
  const cases = [
    ['Div scale, mask input (BERT)', { scale: 'div', mask: 'input' }],
    ['Mul scale, constant mask first', { scale: 'mul', mask: 'const', maskFirst: true }],
    ['no scale, no mask', { scale: 'none', mask: 'none' }],
    ['Div scale, mask broadcast along each row', { scale: 'div', mask: 'column' }],
    ['heads merged back (BERT), mask input', { scale: 'div', mask: 'input', merge: true }],
    ['heads merged back, constant mask, Mul scale', { scale: 'mul', mask: 'const', merge: true }],
  ] as const;
  for (const [name, opts] of cases) {
    const bytes = bertAttention(opts);
    it(`${name}: the score chain becomes one Attention`, () => {
      const g = fuseAttention(irOf(bytes));
      assert.deepEqual(g.nodes.filter((n) => n.domain === 'com.wasmnn').map((n) => n.opType), ['Attention']);
      assert.ok(!g.nodes.some((n) => n.opType === 'Softmax'));
      const merged = 'merge' in opts && opts.merge;
      // With the heads merged back, the split and merge Reshape/Transpose pairs are absorbed too.
      assert.equal((g.nodes.find((n) => n.opType === 'Attention')!.attrs as { heads: number }).heads, merged ? 3 : 0);
      assert.deepEqual(g.nodes.filter((n) => n.opType === 'Transpose' || n.opType === 'Reshape').length, merged ? 0 : 7);
    });
    for (const backend of ['js', 'wasm', 'wasm-mt']) {
      it(`${name}: ${backend} equals onnxruntime`, { skip }, async () => {
        const f = feeds();
        const r = await differential(bytes, opts.mask === 'input' ? f : { x: f.x }, TOL, backend);
        assert.deepEqual(r.mismatches, []);
      });
    }
  }

  it('heads merged back, large enough to split over threads: wasm on 2 threads equals onnxruntime and 1 thread', { skip }, async () => {
    const [B, S, H, D] = [2, 48, 4, 32];
    const bytes = bertAttention({ scale: 'div', mask: 'input', merge: true }, [B, S, H, D]);
    const feeds = { x: randomTensor('float32', [B, S, H * D], 27, -1, 1), mask: randomTensor('float32', [B, 1, 1, S], 28, -10000, 0) };
    assert.deepEqual((await differential(bytes, feeds, TOL, 'wasm-mt')).mismatches, []);
    const one = await InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: 1 });
    const two = await InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: 2 });
    assert.deepEqual((await two.run(feeds)).y!.data, (await one.run(feeds)).y!.data);
    await one.release();
    await two.release();
  });

  it('a mask that widens the scores is not fused', () => {
    const g = new GraphBuilder();
    g.input('q', 'float32', [1, 2, 3, 4]);
    g.input('kt', 'float32', [1, 2, 4, 3]);
    g.input('v', 'float32', [1, 2, 3, 4]);
    g.input('mask', 'float32', [5, 1, 1, 3]);
    g.node('MatMul', ['q', 'kt'], {}, ['qk']);
    g.node('Add', ['qk', 'mask'], {}, ['m']);
    g.node('Softmax', ['m'], { axis: -1 }, ['p']);
    g.node('MatMul', ['p', 'v'], {}, ['y']);
    g.output('y');
    assert.deepEqual(ops(fuseAttention(irOf(g.build({ opset: 13 })))), ['MatMul', 'Add', 'Softmax', 'MatMul']);
  });

  it('a Softmax over another axis is not fused', () => {
    const g = new GraphBuilder();
    g.input('q', 'float32', [2, 3, 4]);
    g.input('kt', 'float32', [2, 4, 3]);
    g.input('v', 'float32', [2, 3, 4]);
    g.node('MatMul', ['q', 'kt'], {}, ['qk']);
    g.node('Softmax', ['qk'], { axis: 1 }, ['p']);
    g.node('MatMul', ['p', 'v'], {}, ['y']);
    g.output('y');
    assert.deepEqual(ops(fuseAttention(irOf(g.build({ opset: 13 })))), ['MatMul', 'Softmax', 'MatMul']);
  });
});
