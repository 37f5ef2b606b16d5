/**
 * Times one model on one engine in this process and prints a JSON line:
 * load ms, median/min/max run ms over N runs after one warm-up, peak RSS, and the output check.
 *   node --import tsx bench/run-one.ts <model.onnx> <engine: js|wasm|ort|ort-web> [runs]
 *
 * Engines: wasmnn `js` / `wasm`; onnxruntime-node `ort` (1 thread); onnxruntime-web `ort-web`
 * (its wasm backend in Node, 1 thread, no proxy worker).
 *
 * Inputs: when <model>.ref.json exists beside the model (bench/export_models.py writes one), the
 * inputs it names (.npy) — the same ones PyTorch's reference outputs were computed from. Otherwise
 * built from the graph's inputs (symbolic dims = 1): float32 ramps k/n; int64 inputs by name:
 * containing "mask" → ones, "type" or "segment" → zeros, anything else token ids (k·37 + 101) mod 1000.
 *
 * Output check, after timing and after peak RSS is read (so neither timings nor memory include
 * it): `maxDiffOrt` is the max abs difference of output 0 against onnxruntime-node (1 thread) on
 * the same input, computed in this process; `maxDiffRef` the same against the PyTorch reference
 * output when a ref exists; `maxAbsRef` the largest |value| of the reference, for scale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readNpy } from '../src/cli/npy.js';
import { decodeModel } from '../src/onnx/decode.js';
import { InferenceSession } from '../src/runtime/session.js';
import { Tensor } from '../src/tensor.js';

const [model, engine = 'wasm', runsArg = '10'] = process.argv.slice(2);
if (!model) throw new Error('usage: run-one.ts <model.onnx> <js|wasm|ort|ort-web> [runs]');
const runs = Number(runsArg);

interface RefFile { inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
const refPath = model.replace(/\.onnx$/, '.ref.json');
const ref: RefFile | undefined = existsSync(refPath) ? JSON.parse(readFileSync(refPath, 'utf8')) as RefFile : undefined;
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(join(dirname(model), f))), f);

const feeds: Record<string, Tensor> = {};
if (ref) {
  for (const i of ref.inputs) feeds[i.name] = npy(i.npy);
} else {
  const g = decodeModel(new Uint8Array(readFileSync(model))).graph;
  const inits = new Set(g.initializerNames);
  for (const i of g.inputs.filter((x) => !inits.has(x.name))) {
    const t = i.type?.kind === 'tensor' ? i.type : undefined;
    const dims = (t?.shape ?? [1]).map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const type = t?.elemType ?? 'float32';
    if (type === 'float32') feeds[i.name] = new Tensor('float32', Float32Array.from({ length: n }, (_, k) => k / n), dims);
    else if (type === 'int64') {
      const fill = /mask/i.test(i.name) ? () => 1n : /type|segment/i.test(i.name) ? () => 0n : (k: number) => BigInt((k * 37 + 101) % 1000);
      feeds[i.name] = new Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => fill(k)), dims);
    } else throw new Error(`bench input ${i.name}: type ${type} not supported`);
  }
}

/** What every engine's tensors share: the data and the dims. */
type AnyTensor = { data: unknown; dims: readonly number[] };
type Ort = typeof import('onnxruntime-node');
const toOrt = (ort: Pick<Ort, 'Tensor'>) =>
  Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));

const t0 = performance.now();
let run: () => Promise<Record<string, AnyTensor>>;
let outputName: string;
let engineInfo: string | undefined;
if (engine === 'ort') {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const f = toOrt(ort);
  outputName = s.outputNames[0]!;
  run = () => s.run(f);
} else if (engine === 'ort-web') {
  // 'onnxruntime-web' resolves to dist/ort.node.min.mjs under Node (package exports, "node" condition):
  // the wasm backend only, with the .wasm beside it loaded from disk.
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(model)), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const f = toOrt(ort as unknown as Ort);
  outputName = s.outputNames[0]!;
  run = () => s.run(f as never) as Promise<Record<string, AnyTensor>>;
  engineInfo = `onnxruntime-web ${ort.env.versions.web} wasm, numThreads ${String(ort.env.wasm.numThreads)}, proxy ${String(ort.env.wasm.proxy)}`;
} else {
  const s = await InferenceSession.create(model, { executionProviders: [engine === 'wasm-relaxed' ? 'wasm' : engine] });
  outputName = s.outputNames[0]!;
  run = () => s.run(feeds) as Promise<Record<string, AnyTensor>>;
  engineInfo = `${s.backend}: ${s.backendReason}`;
}
const loadMs = performance.now() - t0;
await run();
const times: number[] = [];
let last: Record<string, AnyTensor> = {};
for (let i = 0; i < runs; i++) {
  const a = performance.now();
  last = await run();
  times.push(performance.now() - a);
}
const peakRssMB = +(process.resourceUsage().maxRSS / 1024).toFixed(0);
times.sort((a, b) => a - b);

// ---- output check (not timed, not in peak RSS) ----
const numbers = (d: unknown): Float64Array => {
  if (d instanceof Float64Array) return d;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, Number);
  if (ArrayBuffer.isView(d)) return Float64Array.from(d as unknown as ArrayLike<number>);
  throw new Error(`output is not numeric (${Object.prototype.toString.call(d)})`);
};
const maxDiff = (a: AnyTensor, b: AnyTensor): number => {
  if (a.dims.join(',') !== b.dims.join(',')) throw new Error(`output dims ${a.dims.join('x')} vs reference ${b.dims.join('x')}`);
  const x = numbers(a.data), y = numbers(b.data);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (!(d <= m)) m = d; // NaN propagates
  }
  return m;
};
const fmt = (v: number) => (Number.isFinite(v) ? +v.toPrecision(3) : String(v));
const check: Record<string, unknown> = {};
const out = last[outputName];
try {
  if (!out) throw new Error(`no output ${outputName}`);
  const x = numbers(out.data);
  check.outputHead = Array.from(x.subarray(0, 3), fmt);
  if (engine !== 'ort') {
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const o = (await s.run(toOrt(ort)))[outputName]!;
    check.maxDiffOrt = fmt(maxDiff(out, o));
    await s.release();
  }
  if (ref) {
    const r = npy(ref.outputs[0]!.npy);
    check.maxDiffRef = fmt(maxDiff(out, r));
    check.maxAbsRef = fmt(numbers(r.data).reduce((a, b) => Math.max(a, Math.abs(b)), 0));
  }
} catch (e) {
  check.checkError = (e as Error).message.slice(0, 200);
}

console.log(JSON.stringify({
  model, engine, loadMs: +loadMs.toFixed(1), medianMs: +times[Math.floor(times.length / 2)]!.toFixed(2),
  minMs: +times[0]!.toFixed(2), maxMs: +times[times.length - 1]!.toFixed(2), runs, peakRssMB, ...check, engineInfo,
}));
