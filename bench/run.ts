/**
 * npm run bench: each (model, engine) in its own process, side by side in one run.
 * Models: the PyTorch exports in bench/models (`npm run bench:models`; named pt-<name>), then the
 * light CNNs and ../shared/models (when present). Engines: wasmnn wasm, wasmnn js,
 * onnxruntime-node `ort` and onnxruntime-web `ort-web` (wasm backend), both 1 thread. `wasm` is the
 * simd128 build (plain Node 20); `wasm-relaxed` runs Node with --experimental-wasm-relaxed-simd.
 * Each row also says how far output 0 is from onnxruntime-node's (`diff ort`) and, for the
 * bench/models exports, from PyTorch's (`diff pt`, with the reference's max |value| for scale).
 * Writes bench/results/<date>.json and prints a table.
 *   npm run bench -- [--filter REGEX] [--engines wasm,js,ort,ort-web] [--runs N] [--threads N[,M…]] [--warmup SECONDS] [--timeout SECONDS]
 * --threads gives every engine the same thread count (default 1). A list (`--threads 1,2`) runs
 * each engine at each count back to back, so thread scaling is a ratio measured side by side in
 * one run rather than across two runs minutes apart.
 * --warmup sets every engine's untimed warm-up (default 1 s, at least 3 runs). Two-thread processes
 * keep speeding up for their first 5–8 s, so `--warmup 10` times them settled; the default times
 * what a short-lived page or script sees.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { repoRoot, sharedOrSkip } from '../test/helpers/shared.js';

const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const engines = (arg('engines') ?? 'wasm,wasm-relaxed,js,ort,ort-web').split(',');
const runs = arg('runs') ?? '5';
const filter = arg('filter') ? new RegExp(arg('filter')!) : undefined;
const timeoutS = Number(arg('timeout') ?? '900');
const threadCounts = (arg('threads') ?? '1').split(',').map((t) => t.trim());
// Given only when asked for: run-one.ts's measureEngine owns the default, and each row records its warm-up.
const warmupS = arg('warmup');
if (warmupS !== undefined && !(Number(warmupS) >= 0)) throw new Error(`--warmup: expected seconds like 1 or 10, got "${warmupS}"`);
if (threadCounts.some((t) => !/^[1-9]\d*$/.test(t))) throw new Error(`--threads: expected counts like 2 or 1,2, got "${arg('threads')}"`);

const models: { name: string; path: string }[] = [];
const own = join(repoRoot, 'bench/models');
if (existsSync(own)) for (const f of readdirSync(own).filter((x) => x.endsWith('.onnx')).sort()) models.push({ name: `pt-${f.replace(/\.onnx$/, '')}`, path: join(own, f) });
else console.log(`# bench PyTorch models: skipped, ${own} not found (npm run bench:models)`);
const light = sharedOrSkip('onnx-tests/light', 'bench light models');
if (light) for (const f of readdirSync(light).filter((x) => x.endsWith('.onnx')).sort()) models.push({ name: f.replace(/^light_|\.onnx$/g, ''), path: join(light, f) });
const shared = sharedOrSkip('models', 'bench shared models');
if (shared) for (const d of readdirSync(shared).sort()) if (existsSync(join(shared, d, 'model.onnx')) && !d.startsWith('tract')) models.push({ name: d, path: join(shared, d, 'model.onnx') });

interface Row {
  model: string; engine: string; threads: number; medianMs?: number; loadMs?: number; peakRssMB?: number; error?: string;
  maxDiffOrt?: number | string; maxDiffRef?: number | string; maxAbsRef?: number | string; checkError?: string;
}
const rows: Row[] = [];
const load0 = loadavg();
console.log(`# ${cpus().length} cpus, ${threadCounts.join(' and ')} thread(s) per engine, warm-up ${warmupS === undefined ? 'default' : `${warmupS} s`}, load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
for (const m of models.filter((x) => !filter || filter.test(x.name))) {
  // Every engine loads from the OS file cache: otherwise the model's first engine alone pays the
  // disk read (BERT-base's 438 MB: 0.5–1.6 s on this machine) and its load time is not comparable.
  readIntoCache(m.path);
  for (const e of engines) for (const threads of threadCounts) {
    // wasm-relaxed: the same wasm provider in a Node that enables relaxed SIMD (flagged in Node 20).
    const flags = e === 'wasm-relaxed' ? ['--experimental-wasm-relaxed-simd'] : [];
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', join(repoRoot, 'bench/run-one.ts'), m.path, e, runs, threads, ...(warmupS === undefined ? [] : [String(Number(warmupS) * 1000)])],
      { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20 });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    try {
      rows.push({ ...JSON.parse(line), model: m.name, threads: Number(threads) });
    } catch {
      const why = r.error ? (r.signal === 'SIGTERM' ? `timed out after ${timeoutS} s` : r.error.message) : (r.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status ?? r.signal}`;
      rows.push({ model: m.name, engine: e, threads: Number(threads), error: why.slice(0, 160) });
    }
    const last = rows[rows.length - 1]!;
    const diffs = last.checkError ? `  check error: ${last.checkError}`
      : `${last.maxDiffOrt !== undefined ? `  diff ort ${last.maxDiffOrt}` : ''}${last.maxDiffRef !== undefined ? `  diff pt ${last.maxDiffRef} (|ref| ≤ ${last.maxAbsRef})` : ''}`;
    const label = threadCounts.length > 1 ? `${e} ×${threads}` : e;
    console.log(`${m.name.padEnd(28)} ${label.padEnd(7)} ${last.error ? `error: ${last.error}` : `median ${String(last.medianMs).padStart(9)} ms  load ${String(last.loadMs).padStart(7)} ms  rss ${String(last.peakRssMB).padStart(5)} MB${diffs}`}`);
  }
}
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
const file = join(repoRoot, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const load1 = loadavg();
console.log(`# load average at the end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavgStart: load0, loadavgEnd: load1, runs: Number(runs), threads: threadCounts.length > 1 ? threadCounts.map(Number) : Number(threadCounts[0]), rows }, null, 2));
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : '-');
for (const t of threadCounts.map(Number)) {
  console.log(`\nratios (median) at ${t} thread(s): how many times faster wasm (simd128 / relaxed) is than js, ort and ort-web`);
  for (const m of new Set(rows.map((r) => r.model))) {
    const get = (e: string) => rows.find((r) => r.model === m && r.engine === e && r.threads === t)?.medianMs;
    const w = get('wasm'), wr = get('wasm-relaxed'), j = get('js'), o = get('ort'), ow = get('ort-web');
    console.log(`${m.padEnd(28)} vs js ${ratio(j, w)} / ${ratio(j, wr)}   vs ort ${ratio(o, w)} / ${ratio(o, wr)}   vs ort-web ${ratio(ow, w)} / ${ratio(ow, wr)}`);
  }
}
if (threadCounts.length > 1) {
  const [t0 = 1, ...more] = threadCounts.map(Number);
  console.log(`\nthread scaling (median at ${t0} thread(s) ÷ median at N, same engine, side by side)`);
  for (const m of new Set(rows.map((r) => r.model))) {
    for (const e of engines) {
      const at = (t: number) => rows.find((r) => r.model === m && r.engine === e && r.threads === t)?.medianMs;
      console.log(`${m.padEnd(28)} ${e.padEnd(13)} ${more.map((t) => `×${t}: ${ratio(at(t0), at(t))}`).join('   ')}`);
    }
  }
}
console.log(`results: ${file}`);

/** Reads a model file once, in 16 MB pieces, discarding the bytes. */
function readIntoCache(path: string): void {
  const piece = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'r');
  try { while (readSync(fd, piece, 0, piece.length, null) > 0) { /* read */ } } finally { closeSync(fd); }
}
