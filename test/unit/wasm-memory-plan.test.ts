/**
 * The wasm backend's memory plan: lifetimes planned into one arena (memory-plan.ts), and runs
 * that replay the plan of their input signature without allocating.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestFlavor } from '../../src/backends/wasm/engine.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { planMemory, type Lifetime } from '../../src/backends/wasm/memory-plan.js';
import { buildGraph } from '../../src/graph/ir.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { executeGraph } from '../../src/runtime/executor.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors } from '../helpers/compare.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { randomTensor } from '../helpers/oracle.js';

/**
 * Checks that no two values live at one claim share a byte and that each lies inside its region
 * (fixed regions laid out one after another, the open one last); returns the most bytes live at one claim.
 */
function checkPlan(values: readonly Lifetime[], fixed: readonly number[] = []): { peak: number; open: number } {
  const { places, open } = planMemory(values, fixed);
  const caps = [...fixed, open];
  const base = caps.map((_, r) => caps.slice(0, r).reduce((s, c) => s + c, 0));
  const at = places.map((p) => base[p.region]! + p.offset);
  places.forEach((p, i) => {
    assert.ok(p.offset % 64 === 0 && p.offset + values[i]!.bytes <= caps[p.region]!, `value ${i} at ${p.offset} (+${values[i]!.bytes}) inside region ${p.region} and aligned`);
  });
  let peak = 0;
  const end = Math.max(0, ...values.map((v) => v.last));
  for (let t = 0; t <= end; t++) {
    const live = values.map((v, i) => ({ v, o: at[i]! })).filter(({ v }) => v.first <= t && t <= v.last);
    peak = Math.max(peak, live.reduce((s, { v }) => s + v.bytes, 0));
    for (const a of live) {
      for (const b of live) if (a !== b) assert.ok(a.o + a.v.bytes <= b.o || b.o + b.v.bytes <= a.o, `claim ${t}: [${a.o}, +${a.v.bytes}) and [${b.o}, +${b.v.bytes}) overlap`);
    }
  }
  return { peak, open };
}

describe('memory plan: lifetimes into regions', () => {
  it('a chain reuses bytes: each value is live with its producer only', () => {
    const values = Array.from({ length: 20 }, (_, i) => ({ bytes: 4096, first: i, last: i + 1 }));
    assert.equal(checkPlan(values).open, 2 * 4096);
  });

  it('values live together never overlap, and the open region stays near the peak (random lifetimes)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rand() * 60);
      const values = Array.from({ length: n }, (_, i) => {
        const bytes = 32 * (1 + Math.floor(rand() * (rand() < 0.2 ? 4000 : 100)));
        return { bytes, first: i, last: i + Math.floor(rand() * (rand() < 0.1 ? n : 6)) };
      });
      const fixed = trial % 3 === 0 ? [] : Array.from({ length: trial % 3 }, () => 64 * Math.floor(rand() * 4000));
      const { peak, open } = checkPlan(values, fixed);
      // Greedy by size is no optimum, but it must not fall back to a value per slot.
      assert.ok(open <= 2 * peak + 64 * n, `trial ${trial}: open region ${open} B for a peak of ${peak}`);
    }
  });

  it('fills the fixed regions first and opens only what does not fit', () => {
    // Three values live together: 4 KiB and 2 KiB fit the two fixed regions, the other 4 KiB opens.
    const values = [{ bytes: 4096, first: 0, last: 2 }, { bytes: 2048, first: 1, last: 2 }, { bytes: 4096, first: 2, last: 2 }];
    const plan = planMemory(values, [2048, 4096]);
    assert.deepEqual(plan.places.map((p) => p.region).sort(), [0, 1, 2]);
    assert.equal(plan.open, 4096);
    assert.equal(checkPlan(values, [2048, 4096]).open, 4096);
    assert.equal(planMemory(values.map((v) => ({ ...v, last: v.first })), [8192]).open, 0, 'one at a time, all fit the first region');
  });

  it('an empty run plans nothing', () => {
    assert.deepEqual(planMemory([]), { places: [], open: 0 });
  });
});

/** Runs `body` with a wasm and a js session of the model, then releases both. */
async function withSessions(bytes: Uint8Array, body: (wasm: InferenceSession, js: InferenceSession) => Promise<void>): Promise<void> {
  const wasm = await InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
  try {
    await body(wasm, js);
  } finally {
    await wasm.release();
    await js.release();
  }
}

describe('wasm backend: runs replay their signature\'s plan', () => {
  /** x[N, 64] through 8 × (MatMul → Relu), every value a float32 [N, 64] in engine memory. */
  function chain(): Uint8Array {
    const g = new GraphBuilder();
    g.input('x', 'float32', ['N', 64]);
    let v = 'x';
    for (let i = 0; i < 8; i++) {
      g.node('MatMul', [v, g.init(`w${i}`, randomTensor('float32', [64, 64], 40 + i, -0.2, 0.2))], {}, [`m${i}`]);
      g.node('Relu', [`m${i}`], {}, [(v = `r${i}`)]);
    }
    g.node('Identity', [v], {}, ['y']);
    g.output('y');
    return g.build({ opset: 17 });
  }

  it('a planned run allocates nothing; a new shape is planned once, then replayed; results equal js', async () => {
    const bytes = chain();
    const m = decodeModel(bytes);
    const g = buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', 17]]), functions: new Map() });
    const backend = await createWasmBackend(bestFlavor()!);
    const js = await InferenceSession.create(bytes, { executionProviders: ['js'] });
    const run = async (rows: number, seed: number) => {
      const x = randomTensor('float32', [rows, 64], seed, -1, 1);
      backend.beginRun!(`x:float32[${rows},64]`);
      const y = executeGraph(g, new Map([['x', x]]), backend).get('y') as Tensor;
      const got = new Tensor('float32', y.data as Float32Array, y.dims);
      backend.endRun!(true);
      const ref = (await js.run({ x })).y!;
      assert.equal(compareTensors(got, ref, { rtol: 1e-4, atol: 1e-5 }, `y [${rows}, 64]`), undefined);
      return backend.memory();
    };
    const first = await run(32, 1);
    // 16 values of 8 KiB; at most the producer's input, its output and a view are live at once.
    assert.ok(first.activations >= 2 * 8192 && first.activations <= 3 * 8192, `${first.activations} B for 8 KiB values`);
    assert.deepEqual(await run(32, 2), first, 'a replayed run allocates nothing');
    const small = await run(8, 3);
    assert.deepEqual(small, first, 'smaller values fit the arena');
    const big = await run(64, 4);
    assert.ok(big.activations >= 2 * 16384 && big.activations <= 3 * 16384, `${big.activations} B for 16 KiB values`);
    for (const [rows, seed] of [[32, 5], [64, 6], [8, 7], [64, 8]] as const) {
      assert.deepEqual(await run(rows, seed), big, `[${rows}, 64] replays its plan without allocating`);
    }
    backend.dispose?.();
    await js.release();
  });

  it('a value copied out for a reference kernel, its bytes then reused, is read again by an engine kernel', async () => {
    // Neg (reference) copies m out, so m's bytes are free for Relu's output; Add must not read them as m.
    const g = new GraphBuilder();
    g.input('x', 'float32', [4, 16]);
    g.node('MatMul', ['x', g.init('w', randomTensor('float32', [16, 16], 31, -1, 1))], {}, ['m']);
    g.node('Neg', ['m'], {}, ['n']);
    g.node('Relu', ['n'], {}, ['r']);
    g.node('Sigmoid', ['r'], {}, ['s']);
    g.node('Add', ['m', 's'], {}, ['y']);
    g.output('y');
    await withSessions(g.build({ opset: 17 }), async (wasm, js) => {
      for (let i = 0; i < 3; i++) {
        const feeds = { x: randomTensor('float32', [4, 16], 32 + i, -1, 1) };
        assert.equal(compareTensors((await wasm.run(feeds)).y!, (await js.run(feeds)).y!, { rtol: 1e-4, atol: 1e-5 }, `run ${i}`), undefined);
      }
    });
  });

  it('a run that fails midway leaves the next runs correct', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2, 8]);
    g.input('shape', 'int64', [2]);
    g.node('MatMul', ['x', g.init('w', randomTensor('float32', [8, 8], 11, -1, 1))], {}, ['m']);
    g.node('Relu', ['m'], {}, ['r']);
    g.node('Reshape', ['r', 'shape'], {}, ['y']);
    g.output('y');
    const shape = (v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [2]);
    await withSessions(g.build({ opset: 17 }), async (wasm, js) => {
      for (const [i, s] of [[4, 4], [3, 5], [8, 2], [3, 5], [16, 1]].entries()) {
        const feeds = { x: randomTensor('float32', [2, 8], 20 + i, -1, 1), shape: shape(s) };
        if (s[0]! * s[1]! !== 16) {
          await assert.rejects(wasm.run(feeds), /Reshape/);
          continue;
        }
        const [got, ref] = [await wasm.run(feeds), await js.run(feeds)];
        assert.equal(compareTensors(got.y!, ref.y!, { rtol: 1e-4, atol: 1e-5 }, `run ${i}`), undefined);
      }
    });
  });
});
