/**
 * Loading from a file path: the structure walker (file-reader.ts), file-backed tensors
 * (lazy-tensor.ts), and weights released once the wasm engine holds them (runtime/weights.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InferenceSession, Tensor } from '../../src/index.js';
import { ModelParseError, WasmnnError } from '../../src/errors.js';
import { readModelFile } from '../../src/load/file-reader.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { isFileBacked, isReleased, releaseStorage } from '../../src/onnx/lazy-tensor.js';
import { PAYLOAD_FIELD } from '../../src/onnx/tensor-proto.js';
import { GraphBuilder, PbWriter } from '../helpers/onnx-builder.js';

const K = 128, N = 160; // W is 80 KiB: above the size read on first use
const ramp = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7) % 13) * s - 0.3);
const W = new Tensor('float32', ramp(K * N, 0.01), [K, N]);
const B = new Tensor('float32', ramp(N, 0.1), [N]);
const X = new Tensor('float32', ramp(2 * K, 0.05), [2, K]);

/** Y = X·W + B, then Relu; with `oldIr`, W is also a graph input a feed may override. */
function model(oldIr = false): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [2, K]);
  if (oldIr) g.input('w', 'float32', [K, N]);
  g.init('w', W);
  g.init('b', B);
  const [p] = g.node('MatMul', ['x', 'w']);
  const [s] = g.node('Add', [p!, 'b']);
  g.node('Relu', [s!], {}, ['y']);
  g.output('y', 'float32', [2, N]);
  return g.build(oldIr ? { irVersion: 3, opset: 8 } : {});
}

function tmpFile(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wasmnn-fr-')), 'm.onnx');
  writeFileSync(path, bytes);
  return path;
}

const values = (t: Tensor) => Array.from(t.data as Float32Array);
/** Backends sum in different orders: equal to float32 rounding. */
function assertClose(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.dims, b.dims, what);
  const x = values(a), y = values(b);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= 1e-5 * (1 + Math.abs(y[i]!)), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

describe('loading a model file', () => {
  it('decodes the same model as the whole-file decoder', async () => {
    for (const bytes of [model(), model(true)]) {
      const parts = await readModelFile(tmpFile(bytes));
      assert.ok(parts.bytes.length < 2048, `structure only (${parts.bytes.length} bytes)`);
      const a = decodeModel(bytes), b = decodeModel(parts.bytes, { payloads: parts.payloads });
      assert.deepEqual(b.graph.nodes, a.graph.nodes);
      assert.deepEqual(b.graph.inputs, a.graph.inputs);
      assert.deepEqual(b.graph.initializerNames, a.graph.initializerNames);
      b.graph.initializers.forEach((t, i) => {
        assert.deepEqual(t.dims, a.graph.initializers[i]!.dims);
        assert.deepEqual(values(t), values(a.graph.initializers[i]!));
      });
      assert.ok(isFileBacked(b.graph.initializers[0]!), 'the large weight stays in the file until used');
      assert.ok(!isFileBacked(b.graph.initializers[1]!), 'small payloads are read at once');
    }
  });

  it('reads a released weight again, and refuses once the file changed', async () => {
    const path = tmpFile(model());
    const parts = await readModelFile(path);
    const weight = () => decodeModel(parts.bytes, { payloads: parts.payloads }).graph.initializers[0]!;
    const w = weight();
    assert.ok(releaseStorage(w));
    assert.deepEqual(values(w), values(W));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    assert.throws(() => weight().data, (e: unknown) => e instanceof WasmnnError && e.code === 'ERR_MODEL_SOURCE' && /changed/.test(e.message));
  });

  it('runs the same from a path as from bytes, and the engine keeps the only copy of packed weights', async () => {
    const bytes = model();
    const path = tmpFile(bytes);
    for (const ep of ['wasm', 'js']) {
      const fromBytes = await InferenceSession.create(bytes, { executionProviders: [ep] });
      const fromPath = await InferenceSession.create(path, { executionProviders: [ep] });
      const want = values((await fromBytes.run({ x: X })).y!);
      assert.deepEqual(values((await fromPath.run({ x: X })).y!), want);
      assert.deepEqual(values((await fromPath.run({ x: X })).y!), want);
    }
    const parts = await readModelFile(path);
    const proto = decodeModel(parts.bytes, { payloads: parts.payloads });
    const s = await InferenceSession.fromProto(proto, { executionProviders: ['wasm'] });
    const w = proto.graph.initializers[0]!;
    assert.equal(isReleased(w), s.backend === 'wasm', 'released exactly when the wasm engine packed it');
  });

  it('lets a feed override a packed weight (old IR) on every backend', async () => {
    const path = tmpFile(model(true));
    const W2 = new Tensor('float32', ramp(K * N, -0.02), [K, N]);
    const ref = await InferenceSession.create(model(true), { executionProviders: ['js'] });
    for (const ep of ['wasm', 'js']) {
      const s = await InferenceSession.create(path, { executionProviders: [ep] });
      for (const feeds of [{ x: X }, { x: X, w: W2 }, { x: X }] as Record<string, Tensor>[]) {
        assertClose((await s.run(feeds)).y!, (await ref.run(feeds)).y!, `${ep} ${Object.keys(feeds).join(',')}`);
      }
    }
  });

  it('reads large external data tensor by tensor, as from supplied bytes', async () => {
    const data = new Uint8Array(64 + K * N * 4);
    data.set(new Uint8Array((W.data as Float32Array).buffer), 64);
    const w = new PbWriter().int(1, K).int(1, N).int(2, 1).str(8, 'w')
      .msg(13, new PbWriter().str(1, 'location').str(2, 'w.bin'))
      .msg(13, new PbWriter().str(1, 'offset').str(2, '64'))
      .int(14, 1);
    const x = new PbWriter().str(1, 'x').msg(2, new PbWriter().msg(1, new PbWriter().int(1, 1)));
    const node = new PbWriter().str(1, 'x').str(1, 'w').str(2, 'y').str(4, 'MatMul');
    const graph = new PbWriter().msg(1, node).str(2, 'g').msg(5, w).msg(11, x).msg(12, new PbWriter().str(1, 'y'));
    const bytes = new PbWriter().int(1, 8).msg(7, graph).msg(8, new PbWriter().str(1, '').int(2, 17)).finish();
    const path = tmpFile(bytes);
    writeFileSync(join(path, '..', 'w.bin'), data);
    const fromPath = await InferenceSession.create(path);
    const fromBytes = await InferenceSession.create(bytes, { externalData: [{ path: 'w.bin', data }] });
    assert.deepEqual(values((await fromPath.run({ x: X })).y!), values((await fromBytes.run({ x: X })).y!));
  });

  it('raises typed parse errors for malformed files, and ignores payload references it did not make', async () => {
    const good = model();
    for (const bad of [good.subarray(0, good.length - 1000), good.subarray(0, 7), Uint8Array.from({ length: 4096 }, (_, i) => (i * 131) & 0xff)]) {
      await assert.rejects(InferenceSession.create(tmpFile(bad)), ModelParseError);
    }
    // A TensorProto carrying the loader's private field: the file's own value is never used.
    const t = new PbWriter().int(1, 2).int(2, 1).str(8, 'w').int(PAYLOAD_FIELD, 0).bytes(9, new Uint8Array(new Float32Array([3, 4]).buffer));
    const node = new PbWriter().str(1, 'x').str(1, 'w').str(2, 'y').str(4, 'Mul');
    const x = new PbWriter().str(1, 'x').msg(2, new PbWriter().msg(1, new PbWriter().int(1, 1)));
    const graph = new PbWriter().msg(1, node).str(2, 'g').msg(5, t).msg(11, x).msg(12, new PbWriter().str(1, 'y'));
    const bytes = new PbWriter().int(1, 8).msg(7, graph).msg(8, new PbWriter().str(1, '').int(2, 17)).finish();
    const s = await InferenceSession.create(tmpFile(bytes));
    assert.deepEqual(values((await s.run({ x: new Tensor('float32', new Float32Array([1, 2]), [2]) })).y!), [3, 8]);
    assert.deepEqual(readFileSync(tmpFile(bytes)), Buffer.from(bytes));
  });
});
