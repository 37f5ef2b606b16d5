/**
 * Times one model on one engine in this process and prints a JSON line:
 * load ms, median/min/max run ms over N runs after a warm-up (src/cli/bench.ts), peak RSS, and the output check.
 *   node --import tsx bench/run-one.ts <model.onnx> <engine: js|wasm|ort|ort-web> [runs] [threads] [warm-up ms]
 *
 * Engines: wasmnn `js` / `wasm`; onnxruntime-node `ort` (1 thread); onnxruntime-web `ort-web`
 * (its wasm backend in Node, 1 thread, no proxy worker).
 *
 * Inputs: when <model>.ref.json exists beside the model (bench/export_models.py writes one), the
 * inputs it names (.npy) — the same ones PyTorch's reference outputs were computed from. Else the
 * model's test_data_set_0 inputs when the folder is beside it (../shared/models). Otherwise
 * synthetic ones built from the graph's inputs (src/cli/bench.ts `syntheticFeeds`).
 *
 * Output check, after timing and after peak RSS is read (so neither timings nor memory include
 * it): `maxDiffOrt` is the max abs difference of output 0 against onnxruntime-node (1 thread) on
 * the same input, computed in this process; `maxDiffRef` the same against the PyTorch reference
 * output when a ref exists; `maxAbsRef` the largest |value| of the reference, for scale.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { measureEngine, modelInputs, syntheticFeeds, type AnyTensor } from '../src/cli/bench.js';
import { readNpy } from '../src/cli/npy.js';
import { decodeModel } from '../src/onnx/decode.js';
import { Tensor as TensorClass, type Tensor } from '../src/tensor.js';
import { readTestInputs } from '../test/conformance/one-test.js';
import { halfArrayToFloat32 } from '../src/util/half.js';

const [model, engine = 'wasm', runsArg = '10', threadsArg = '1', warmupArg] = process.argv.slice(2);
if (!model) throw new Error('usage: run-one.ts <model.onnx> <js|wasm|ort|ort-web> [runs] [threads] [warm-up ms]');
const runs = Number(runsArg);

interface RefFile { inputs: { name: string; npy: string }[]; outputs: { name: string; npy: string }[] }
const refPath = model.replace(/\.onnx$/, '.ref.json');
const ref: RefFile | undefined = existsSync(refPath) ? JSON.parse(readFileSync(refPath, 'utf8')) as RefFile : undefined;
const npy = (f: string) => readNpy(new Uint8Array(readFileSync(join(dirname(model), f))), f);

/** The model's own test inputs (test_data_set_0 beside it, as ../shared/models ships them), when readable. */
function testSetFeeds(): Record<string, Tensor> | undefined {
  const dir = join(dirname(model!), 'test_data_set_0');
  if (!existsSync(dir)) return undefined;
  const f = readTestInputs(dir, decodeModel(new Uint8Array(readFileSync(model!))).graph);
  return typeof f === 'object' && Object.values(f).every((v) => v instanceof TensorClass) ? f as Record<string, Tensor> : undefined;
}

const feeds: Record<string, Tensor> = ref
  ? Object.fromEntries(ref.inputs.map((i) => [i.name, npy(i.npy)]))
  : testSetFeeds() ?? syntheticFeeds(modelInputs(model));

type Ort = typeof import('onnxruntime-node');
const toOrt = (ort: Pick<Ort, 'Tensor'>) =>
  Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));

// wasm-relaxed is the wasm provider in a Node started with --experimental-wasm-relaxed-simd (see run.ts).
const { outputs, outputNames, ...timing } = await measureEngine(model, engine === 'wasm-relaxed' ? 'wasm' : engine, feeds, runs, Number(threadsArg), warmupArg === undefined ? undefined : Number(warmupArg));
const outputName = outputNames[0]!;
const last = outputs;

// ---- output check (not timed, not in peak RSS) ----
const numbers = (d: unknown, type?: string): Float64Array => {
  // float16 tensors hold bit patterns (Uint16Array): compare values, not bits.
  if (type === 'float16' && d instanceof Uint16Array) return Float64Array.from(halfArrayToFloat32(d));
  if (d instanceof Float64Array) return d;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, Number);
  if (ArrayBuffer.isView(d)) return Float64Array.from(d as unknown as ArrayLike<number>);
  throw new Error(`output is not numeric (${Object.prototype.toString.call(d)})`);
};
const maxDiff = (a: AnyTensor, b: AnyTensor): number => {
  if (a.dims.join(',') !== b.dims.join(',')) throw new Error(`output dims ${a.dims.join('x')} vs reference ${b.dims.join('x')}`);
  const x = numbers(a.data, a.type), y = numbers(b.data, b.type);
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
  const x = numbers(out.data, out.type);
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

console.log(JSON.stringify({ model, ...timing, engine, ...check }));
