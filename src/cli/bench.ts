/**
 * `wasmnn bench`: times a model on wasmnn and, when installed, on onnxruntime-node and
 * onnxruntime-web, each engine in its own child process so peak memory is its own.
 * The measuring half (`measureEngine`) is shared with the project's bench (bench/run-one.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { env } from '../env.js';
import { decodeModel } from '../onnx/decode.js';
import type { ValueInfo } from '../onnx/model.js';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor.js';
import { float32ToHalfArray } from '../util/half.js';

/** What every engine's tensors share: the data and the dims. */
export interface AnyTensor { data: unknown; dims: readonly number[]; type?: string }

/** One engine's timing on one model. */
export interface EngineResult {
  engine: string;
  loadMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** The warm-up asked for (ms) and the untimed runs it took. */
  warmupMs: number;
  warmupRuns: number;
  /** Peak resident memory of the process that measured, load and runs included. */
  peakRssMB: number;
  engineInfo?: string;
}

/**
 * Inputs built from the graph's declared inputs (symbolic dims = 1): float32 ramps k/n; int64
 * by name: "mask" → ones, "type"/"segment" → zeros, anything else token ids (k·37 + 101) mod 1000.
 */
export function syntheticFeeds(inputs: readonly ValueInfo[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const i of inputs) {
    const t = i.type?.kind === 'tensor' ? i.type : undefined;
    const dims = (t?.shape ?? [1]).map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const type = t?.elemType ?? 'float32';
    if (type === 'float32') feeds[i.name] = new Tensor('float32', Float32Array.from({ length: n }, (_, k) => k / n), dims);
    else if (type === 'float16') feeds[i.name] = new Tensor('float16', float32ToHalfArray(Float32Array.from({ length: n }, (_, k) => k / n)), dims);
    else if (type === 'int64' || type === 'int32') {
      const v = (k: number) => (/mask/i.test(i.name) ? 1 : /type|segment/i.test(i.name) ? 0 : (k * 37 + 101) % 1000);
      feeds[i.name] = type === 'int64'
        ? new Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt(v(k))), dims)
        : new Tensor('int32', Int32Array.from({ length: n }, (_, k) => v(k)), dims);
    } else throw new Error(`cannot make a bench input for "${i.name}" of type ${type}: give it with --input`);
  }
  return feeds;
}

/** The model's feedable inputs (initializers excluded), from its bytes. */
export function modelInputs(model: string): ValueInfo[] {
  const g = decodeModel(new Uint8Array(readFileSync(model))).graph;
  const inits = new Set(g.initializerNames);
  return g.inputs.filter((x) => !inits.has(x.name));
}

/** Engines this host can compare against: onnxruntime packages that resolve from here. */
export function installedPeers(): string[] {
  const req = createRequire(import.meta.url);
  const peers: string[] = [];
  for (const [engine, pkg] of [['ort', 'onnxruntime-node'], ['ort-web', 'onnxruntime-web']] as const) {
    try { req.resolve(pkg); peers.push(engine); } catch { /* not installed */ }
  }
  return peers;
}

const WARMUP_RUNS = 3, WARMUP_MS = 1000, WARMUP_MAX_RUNS = 100;

/**
 * Loads `model` on one engine in this process, warms it up (at least 3 runs and `warmupMs`, 1 s by
 * default; at most 100 runs a second of it) and times `runs` runs more.
 * Engines: wasmnn execution providers ('wasm', 'js'), onnxruntime-node 'ort', onnxruntime-web 'ort-web'
 * (its wasm backend, no proxy worker). `threads` is given to every engine alike.
 */
export async function measureEngine(model: string, engine: string, feeds: Record<string, Tensor>, runs: number, threads = 1, warmupMs = WARMUP_MS):
Promise<EngineResult & { outputs: Record<string, AnyTensor>; outputNames: readonly string[] }> {
  type Ort = typeof import('onnxruntime-node');
  const toOrt = (ort: Pick<Ort, 'Tensor'>) =>
    Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
  const t0 = performance.now();
  let run: () => Promise<Record<string, AnyTensor>>;
  let outputNames: readonly string[];
  let engineInfo: string | undefined;
  if (engine === 'ort') {
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const f = toOrt(ort);
    outputNames = s.outputNames;
    run = () => s.run(f);
    engineInfo = `onnxruntime-node, ${threads} thread(s)`;
  } else if (engine === 'ort-web') {
    // Under Node 'onnxruntime-web' resolves to its Node build: the wasm backend, its .wasm read from disk.
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(model)), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const f = toOrt(ort as unknown as Ort);
    outputNames = s.outputNames;
    run = () => s.run(f as never) as Promise<Record<string, AnyTensor>>;
    engineInfo = `onnxruntime-web ${ort.env.versions.web} wasm, numThreads ${String(ort.env.wasm.numThreads)}`;
  } else {
    env.wasm.numThreads = threads;
    const s = await InferenceSession.create(model, { executionProviders: [engine] });
    outputNames = s.outputNames;
    run = () => s.run(feeds) as Promise<Record<string, AnyTensor>>;
    engineInfo = `wasmnn ${s.backend}: ${s.backendReason}`;
  }
  const loadMs = performance.now() - t0;
  // Warm-up until the JIT tiers and allocation patterns settle (one run left MobileNetV2 on 2 threads
  // 10–20% slower for its first tens of runs; a two-thread process settles only after 5–8 s): at
  // least WARMUP_RUNS runs and warmupMs, at most WARMUP_MAX_RUNS for each WARMUP_MS of it. Every
  // engine gets the same.
  const w0 = performance.now();
  const maxRuns = WARMUP_MAX_RUNS * Math.max(1, warmupMs / WARMUP_MS);
  let warmupRuns = 0;
  while (warmupRuns < maxRuns && (warmupRuns < WARMUP_RUNS || performance.now() - w0 < warmupMs)) { await run(); warmupRuns++; }
  const times: number[] = [];
  let outputs: Record<string, AnyTensor> = {};
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    outputs = await run();
    times.push(performance.now() - a);
  }
  const peakRssMB = +(process.resourceUsage().maxRSS / 1024).toFixed(0);
  times.sort((a, b) => a - b);
  const r2 = (v: number) => +v.toFixed(2);
  return {
    engine, loadMs: +loadMs.toFixed(1), medianMs: r2(times[Math.floor(times.length / 2)]!), minMs: r2(times[0]!),
    maxMs: r2(times[times.length - 1]!), runs, warmupMs, warmupRuns, peakRssMB, engineInfo, outputs, outputNames,
  };
}

/** Options of `wasmnn bench`. */
export interface BenchOptions {
  runs: number;
  threads: number;
  /** wasmnn backends to time (default: wasm). */
  backends: string[];
  /** `name=file` input specs, passed on to each child unchanged. */
  inputs: string[];
  /** Compare with the installed onnxruntime packages. */
  peers: boolean;
  /** Called with each engine's result as it arrives. */
  onResult?: (r: EngineResult | { engine: string; error: string }) => void;
}

/** Runs each engine in a child process (`wasmnn __bench-engine …`) and collects the results. */
export async function benchModel(model: string, o: BenchOptions): Promise<(EngineResult | { engine: string; error: string })[]> {
  const engines = [...o.backends, ...(o.peers ? installedPeers() : [])];
  const results: (EngineResult | { engine: string; error: string })[] = [];
  for (const engine of engines) {
    const args = [...process.execArgv, process.argv[1]!, '__bench-engine', model, '--engine', engine, '--runs', String(o.runs), '--threads', String(o.threads),
      ...o.inputs.flatMap((i) => ['--input', i])];
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.on('close', (code) => resolve({ code, out, err }));
    });
    const line = r.out.trim().split('\n').pop() ?? '';
    let res: EngineResult | { engine: string; error: string };
    try {
      res = JSON.parse(line) as EngineResult;
    } catch {
      res = { engine, error: r.err.trim().split('\n').filter(Boolean).pop() ?? `exit ${String(r.code)}` };
    }
    o.onResult?.(res);
    results.push(res);
  }
  return results;
}

/** One result as a table row. */
export function formatResult(r: EngineResult | { engine: string; error: string }, baseline?: EngineResult): string {
  if ('error' in r) return `${r.engine.padEnd(8)} error: ${r.error}`;
  const ratio = baseline && baseline !== r ? `  ${(r.medianMs / baseline.medianMs).toFixed(2)}× ${baseline.engine}'s time` : '';
  return `${r.engine.padEnd(8)} median ${r.medianMs.toFixed(2).padStart(9)} ms  min ${r.minMs.toFixed(2).padStart(9)}  max ${r.maxMs.toFixed(2).padStart(9)}`
    + `  load ${r.loadMs.toFixed(0).padStart(6)} ms  peak RSS ${String(r.peakRssMB).padStart(5)} MB${ratio}`;
}
