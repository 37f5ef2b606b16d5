/** Runs a model on onnxruntime-node (the oracle) and on wasmnn, and compares outputs. */
import { createRequire } from 'node:module';
import { InferenceSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor.js';
import type { DataType } from '../../src/dtype.js';
import { float32ToHalfArray } from '../../src/util/half.js';
import { compareValues, type Tolerance } from './compare.js';

const require = createRequire(import.meta.url);
type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
try {
  ort = require('onnxruntime-node') as Ort;
} catch {
  ort = undefined;
}

/** onnxruntime-node, or undefined when not installed (tests then skip). */
export const oracle = ort;

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random tensor of the given type and shape; `lo..hi` range for numbers. */
export function randomTensor(type: DataType, dims: number[], seed = 1, lo = -3, hi = 3): Tensor {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const pick = () => lo + (hi - lo) * r();
  switch (type) {
    case 'float32': return new Tensor(type, Float32Array.from({ length: n }, pick), dims);
    case 'float64': return new Tensor(type, Float64Array.from({ length: n }, pick), dims);
    case 'int64': return new Tensor(type, BigInt64Array.from({ length: n }, () => BigInt(Math.round(pick()))), dims);
    case 'uint64': return new Tensor(type, BigUint64Array.from({ length: n }, () => BigInt(Math.abs(Math.round(pick())))), dims);
    case 'bool': return new Tensor(type, Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)), dims);
    case 'string': return new Tensor(type, Array.from({ length: n }, () => `s${Math.floor(r() * 5)}`), dims);
    case 'float16': return new Tensor('float16', float32ToHalfArray(Float32Array.from({ length: n }, pick)), dims);
    default: return new Tensor(type, makeInt(type, n, pick), dims);
  }
}

function makeInt(type: DataType, n: number, pick: () => number): never {
  const ctors: Record<string, new (n: number) => { [i: number]: number }> = {
    int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  };
  const C = ctors[type];
  if (!C) throw new Error(`randomTensor: unsupported type ${type}`);
  const a = new C(n);
  const unsigned = type.startsWith('u');
  for (let i = 0; i < n; i++) a[i] = unsigned ? Math.abs(Math.round(pick())) : Math.round(pick());
  return a as never;
}


/**
 * Runs `model` with `feeds` on both engines. Returns a list of mismatch reasons
 * (empty = agree). When onnxruntime rejects the model, returns its error as `oracleError`.
 */
export async function differential(model: Uint8Array, feeds: Record<string, Tensor>, tol: Tolerance = { rtol: 1e-4, atol: 1e-5 }, backend = 'js'): Promise<{ mismatches: string[]; oracleError?: string }> {
  if (!ort) throw new Error('onnxruntime-node is not installed');
  const ortSession = await ort.InferenceSession.create(model);
  const ortFeeds: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type as never, t.data as never, t.dims);
  const expected = await ortSession.run(ortFeeds);
  // 'wasm-mt': the wasm backend on 2 threads, as the conformance runner names it.
  const ours = await InferenceSession.create(model, backend === 'wasm-mt' ? { executionProviders: ['wasm'], intraOpNumThreads: 2 } : { executionProviders: [backend] });
  const actual = ours.runSync(feeds);
  const mismatches: string[] = [];
  for (const name of ortSession.outputNames) {
    const e = expected[name]!;
    const et = new Tensor(e.type as DataType, e.data as never, e.dims);
    const r = compareValues(actual[name], et, tol, `output "${name}"`);
    if (r) mismatches.push(r);
  }
  await ortSession.release();
  return { mismatches };
}
