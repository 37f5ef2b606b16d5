/**
 * Checks shared by the wasm kernel tests: run a model's first output on a backend and thread
 * count, and compare the engine on 1 and 2 threads (bit for bit) with the reference kernels.
 */
import assert from 'node:assert/strict';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import { compareTensors, type Tolerance } from './compare.js';
import type { GraphBuilder } from './onnx-builder.js';

/** The first output of one run of `bytes` on `ep` with `threads` threads (a fresh session). */
export async function runFirst(bytes: Uint8Array, feeds: Record<string, Tensor>, ep: string, threads = 1): Promise<Tensor> {
  const s = await InferenceSession.create(bytes, { executionProviders: [ep], intraOpNumThreads: threads });
  try {
    const out = await s.run(feeds);
    return out[s.outputNames[0]!]!;
  } finally {
    await s.release();
  }
}

/** Whether two float32 tensors hold the same bytes. */
export function sameBits(a: Tensor, b: Tensor): boolean {
  const p = a.data as Float32Array, q = b.data as Float32Array;
  return Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(Buffer.from(q.buffer, q.byteOffset, q.byteLength));
}

/** wasm on 1 and 2 threads gives the same bits, and matches the js reference within `tol`. */
export async function wasmMatchesReference(bytes: Uint8Array, feeds: Record<string, Tensor>, tol: Tolerance): Promise<void> {
  const ref = await runFirst(bytes, feeds, 'js');
  const one = await runFirst(bytes, feeds, 'wasm', 1);
  const two = await runFirst(bytes, feeds, 'wasm', 2);
  assert.deepEqual(one.dims, ref.dims);
  assert.deepEqual(two.dims, ref.dims);
  assert.ok(sameBits(one, two), 'differs between 1 and 2 threads');
  assert.equal(compareTensors(one, ref, tol), undefined);
}

/** Appends the activation a fused conv kernel would absorb (Relu, or Clip to [-0.5, 1.5]) after `y`; the new output's name. */
export function appendActivation(g: GraphBuilder, y: string, act: 'Relu' | 'Clip' | undefined): string {
  if (act === 'Relu') g.node('Relu', [y], {}, ['y']);
  else if (act === 'Clip') g.node('Clip', [y, g.init('lo', new Tensor('float32', [-0.5], [])), g.init('hi', new Tensor('float32', [1.5], []))], {}, ['y']);
  else return y;
  return 'y';
}
