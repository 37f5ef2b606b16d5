/**
 * Sessions proxied to a worker thread (Node): same results and metadata as in-process, runs
 * queued safely, inputs left intact, errors typed across the boundary, a crash rejects pending
 * runs and the next create starts a fresh worker, the worker stops with its last session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';

function model(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', ['n', 4]);
  g.init('w', new Tensor('float32', Float32Array.from({ length: 12 }, (_, i) => i / 7), [4, 3]));
  g.node('MatMul', ['x', 'w'], {}, ['m']);
  g.node('Relu', ['m'], {}, ['y']);
  g.output('y', 'float32', ['n', 3]);
  return g.build();
}

/** A run long enough (16 chained 512² products) that the worker is surely busy when it is killed. */
function slowModel(): Uint8Array {
  const n = 512;
  const g = new GraphBuilder();
  g.input('x', 'float32', [n, n]);
  g.init('w', new Tensor('float32', new Float32Array(n * n).fill(1 / n), [n, n]));
  let prev = 'x';
  for (let i = 0; i < 16; i++) {
    const out = i === 15 ? 'y' : `m${i}`;
    g.node('MatMul', [prev, 'w'], {}, [out]);
    prev = out;
  }
  g.output('y', 'float32', [n, n]);
  return g.build();
}

describe('proxied session (worker_threads)', () => {
  it('equals the in-process session, keeps the caller\'s input, queues concurrent runs', async () => {
    const bytes = model();
    const local = await InferenceSession.create(bytes);
    const remote = await InferenceSession.create(bytes, { proxy: true });
    assert.deepEqual(remote.inputNames, ['x']);
    assert.deepEqual(remote.outputNames, ['y']);
    assert.match(remote.backendReason, /in a worker/);
    const data = Float32Array.from({ length: 8 }, (_, i) => i - 3);
    const x = new Tensor('float32', data, [2, 4]);
    const want = (await local.run({ x })).y!;
    const outs = await Promise.all(Array.from({ length: 20 }, () => remote.run({ x })));
    for (const o of outs) {
      assert.deepEqual(o.y!.dims, want.dims);
      assert.deepEqual(Array.from(o.y!.data as Float32Array), Array.from(want.data as Float32Array));
    }
    assert.equal(data.length, 8, 'the caller\'s input buffer is not detached');
    assert.equal(data[7], 4);
    await local.release();
    await remote.release();
  });

  it('errors keep their type and message; the session stays usable', async () => {
    const s = await InferenceSession.create(model(), { proxy: true });
    await assert.rejects(s.run({ x: new Tensor('float32', new Float32Array(3), [1, 3]) }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_INPUT_SHAPE');
      assert.match(e.message, /input "x": expected shape \[n, 4\], got \[1, 3\]/);
      assert.ok(e instanceof InputError, 'the caller gets the same error class');
      assert.equal((e as InputError).inputName, 'x');
      return true;
    });
    const ok = await s.run({ x: new Tensor('float32', new Float32Array(4).fill(1), [1, 4]) });
    assert.deepEqual(ok.y!.dims, [1, 3]);
    assert.throws(() => (s as unknown as { runSync(): void }).runSync(), /runSync is not available/);
    await s.release();
    await assert.rejects(s.run({ x: new Tensor('float32', new Float32Array(4), [1, 4]) }), /released/);
  });

  it('a bad model file is a typed error from the worker', async () => {
    await assert.rejects(InferenceSession.create(new Uint8Array([1, 2, 3, 4, 5]), { proxy: true }), (e: Error & { code?: string }) => typeof e.code === 'string' && e.code.startsWith('ERR_'));
  });

  it('a worker that dies rejects pending runs clearly; the next create starts a fresh worker', async () => {
    // The run must still be in flight when the worker dies; a tiny model could finish and post its
    // result before terminate() lands, and then nothing is pending.
    const s = await InferenceSession.create(slowModel(), { proxy: true });
    const big = new Tensor('float32', new Float32Array(512 * 512).fill(1), [512, 512]);
    const pending = s.run({ x: big });
    // Kill the worker from outside, as a crash would.
    (s as unknown as { w: { port: { terminate(): void } } }).w.port.terminate();
    await assert.rejects(pending, (e: Error & { code?: string }) => e.code === 'ERR_WORKER_CRASHED' && /inference worker stopped/.test(e.message));
    await assert.rejects(s.run({ x: big }), /ERR_WORKER_CRASHED|inference worker stopped/);
    const x = new Tensor('float32', new Float32Array(4).fill(1), [1, 4]);
    const again = await InferenceSession.create(model(), { proxy: true });
    assert.deepEqual((await again.run({ x })).y!.dims, [1, 3]);
    await again.release();
    await s.release();
  });
});
