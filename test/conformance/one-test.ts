/** Runs one ONNX backend test folder (model.onnx + test_data_set_N) and reports pass/fail with a reason. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from '../../src/runtime/session.js';
import { decodeValue } from '../../src/onnx/tensor-proto.js';
import { decodeModel } from '../../src/onnx/decode.js';
import type { GraphProto, TypeInfo } from '../../src/onnx/model.js';
import { Tensor } from '../../src/tensor.js';
import type { Value } from '../../src/values.js';
import { compareValues, type Tolerance } from '../helpers/compare.js';

export interface TestResult {
  name: string;
  status: 'pass' | 'fail' | 'load_error';
  reason?: string;
  ms: number;
}

function pbKind(t: TypeInfo | undefined): 'tensor' | 'sequence' | 'optional' {
  return t?.kind === 'sequence' ? 'sequence' : t?.kind === 'optional' ? 'optional' : 'tensor';
}

function pbName(bytes: Uint8Array): string | undefined {
  // TensorProto.name is field 8; Sequence/OptionalProto.name is field 1. A cheap peek is enough here.
  try {
    const m = decodeModelNameOnly(bytes);
    return m || undefined;
  } catch {
    return undefined;
  }
}

function decodeModelNameOnly(bytes: Uint8Array): string {
  let pos = 0;
  const varint = () => { let r = 0, m = 1; for (;;) { const b = bytes[pos++]!; r += (b & 0x7f) * m; if (b < 0x80) return r; m *= 128; } };
  while (pos < bytes.length) {
    const tag = varint(); const f = Math.floor(tag / 8), w = tag & 7;
    if (w === 0) varint(); else if (w === 1) pos += 8; else if (w === 5) pos += 4;
    else if (w === 2) { const len = varint(); if (f === 8) return new TextDecoder().decode(bytes.subarray(pos, pos + len)); pos += len; }
    else return '';
  }
  return '';
}

/** A session-like runner for the peer: onnxruntime-node ('ort'), to compare pass lists on the same data. */
async function ortRunner(modelPath: string): Promise<Runner> {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(modelPath);
  return {
    async run(feeds) {
      const f: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) {
        if (!(v instanceof Tensor)) throw new Error(`onnxruntime-node cannot take a ${v.kind} input`);
        f[k] = new ort.Tensor(v.type as never, v.data as never, v.dims);
      }
      const out = await s.run(f);
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, new Tensor(t.type as never, t.data as never, t.dims)]));
    },
    release: () => s.release(),
  };
}

interface Runner {
  run(feeds: Record<string, Value>): Promise<Record<string, Value>>;
  release(): Promise<void>;
}

/** Opens a model on one of our backends, or on the peer ('ort'). */
/** Backends: 'js', 'wasm', 'wasm-mt' (wasm on 2 threads, pool started at creation), 'ort' (the peer). */
async function openRunner(modelPath: string, backend: string): Promise<Runner> {
  if (backend === 'ort') return ortRunner(modelPath);
  const threads = backend === 'wasm-mt' ? { intraOpNumThreads: 2 } : {};
  const ours = await InferenceSession.create(modelPath, { executionProviders: [backend === 'wasm-mt' ? 'wasm' : backend], ...threads });
  return { run: async (f) => ours.runSync(f as Record<string, Tensor>), release: () => ours.release() };
}

/** The feeds of one test_data_set folder (input_k.pb matched by name, else by position), or why they cannot be read. */
export function readTestInputs(setDir: string, graph: GraphProto): Record<string, Value> | string {
  const inits = new Set(graph.initializerNames);
  const feedable = graph.inputs.filter((i) => !inits.has(i.name));
  const feeds: Record<string, Value> = {};
  for (let k = 0; existsSync(join(setDir, `input_${k}.pb`)); k++) {
    const bytes = new Uint8Array(readFileSync(join(setDir, `input_${k}.pb`)));
    const named = pbName(bytes);
    const info = feedable.find((i) => i.name === named) ?? feedable[k] ?? graph.inputs[k];
    if (!info) return `input_${k}.pb has no matching graph input`;
    feeds[info.name] = decodeValue(bytes, pbKind(info.type));
  }
  return feeds;
}

export async function runTestDir(dir: string, name: string, backend: string, tol: Tolerance): Promise<TestResult> {
  const t0 = performance.now();
  let session: Runner;
  let proto;
  try {
    const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
    proto = decodeModel(bytes);
    session = await openRunner(join(dir, 'model.onnx'), backend);
  } catch (e) {
    return { name, status: 'load_error', reason: errText(e), ms: performance.now() - t0 };
  }
  const graph = proto.graph;
  const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
  if (sets.length === 0) return { name, status: 'fail', reason: 'no test_data_set folders', ms: 0 };
  for (const set of sets) {
    const sd = join(dir, set);
    const feeds = readTestInputs(sd, graph);
    if (typeof feeds === 'string') return { name, status: 'fail', reason: `${set}: ${feeds}`, ms: 0 };
    let out: Record<string, Value>;
    try {
      out = await session.run(feeds);
    } catch (e) {
      return { name, status: 'fail', reason: `${set}: ${errText(e)}`, ms: performance.now() - t0 };
    }
    for (let k = 0; existsSync(join(sd, `output_${k}.pb`)); k++) {
      const bytes = new Uint8Array(readFileSync(join(sd, `output_${k}.pb`)));
      const named = pbName(bytes);
      const info = graph.outputs.find((o) => o.name === named) ?? graph.outputs[k];
      if (!info) return { name, status: 'fail', reason: `${set}: output_${k}.pb has no matching graph output`, ms: 0 };
      const expected = decodeValue(bytes, pbKind(info.type));
      const r = compareValues(out[info.name], expected, tol, `${set} output "${info.name}"`);
      if (r) return { name, status: 'fail', reason: r, ms: performance.now() - t0 };
    }
  }
  await session.release();
  return { name, status: 'pass', ms: performance.now() - t0 };
}

/** The `light` suite: one model file per architecture, input i/n, one expected output. */
export async function runLightModel(modelPath: string, outputPath: string, name: string, backend: string, tol: Tolerance): Promise<TestResult> {
  const t0 = performance.now();
  let session: Runner;
  let graph: GraphProto;
  try {
    graph = decodeModel(new Uint8Array(readFileSync(modelPath))).graph;
    session = await openRunner(modelPath, backend);
  } catch (e) {
    return { name, status: 'load_error', reason: errText(e), ms: performance.now() - t0 };
  }
  const inits = new Set(graph.initializerNames);
  const input = graph.inputs.find((i) => !inits.has(i.name))!;
  const shape = input.type?.kind === 'tensor' ? input.type.shape : undefined;
  const dims = (shape ?? [1, 3, 224, 224]).map((d) => (typeof d === 'number' ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i / n;
  try {
    const out = await session.run({ [input.name]: new Tensor('float32', data, dims) });
    const expected = decodeValue(new Uint8Array(readFileSync(outputPath)), 'tensor');
    const outName = graph.outputs[0]!.name;
    const r = compareValues(out[outName], expected, tol, `output "${outName}"`);
    if (r) return { name, status: 'fail', reason: r, ms: performance.now() - t0 };
  } catch (e) {
    return { name, status: 'fail', reason: errText(e), ms: performance.now() - t0 };
  }
  await session.release();
  return { name, status: 'pass', ms: performance.now() - t0 };
}

function errText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.replace(/\s+/g, ' ').slice(0, 400);
  return String(e);
}
