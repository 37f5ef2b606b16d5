// Micro-benchmark of the engine's f32 GEMM kernel: GFLOP/s for m×k·k×n on one core.
// node [--experimental-wasm-relaxed-simd] bench/gemm-kernel.mjs <engine.wasm>... [m n k] [--packed]
// Without a shape: 1024³ and BERT-base's Linear layers (128 tokens; k×n 768×768, 768×3072, 3072×768).
// With several builds, each shape runs them in turn, 100 ms each, in one process for about 4 s,
// so that the machine's drift (large here: runs minutes apart differ by 10%) falls on all alike.
// A -mt build runs here on one thread, on the shared memory it imports: set beside its plain
// build, this shows what each pool thread gets (measured: see pack_a_f32 in assembly/gemm.ts).
// With --packed, A is read packed in 4-row groups (gemm_packed_a_f32, what relaxed split jobs run).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const packed = args.includes('--packed');
const files = args.filter((a) => a.endsWith('.wasm'));
const dims = args.filter((a) => /^\d+$/.test(a)).map(Number);
if (!files.length || (dims.length && dims.length !== 3)) throw new Error('usage: gemm-kernel.mjs <engine.wasm>... [m n k] [--packed]');
const shapes = dims.length ? [dims] : [[1024, 1024, 1024], [128, 768, 768], [128, 3072, 768], [128, 768, 3072]];
const engines = [];
for (const file of files) {
  const module = new WebAssembly.Module(readFileSync(file));
  const env = { abort() { throw new Error('abort'); } };
  if (WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) {
    env.memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  }
  engines.push({ file, e: (await WebAssembly.instantiate(module, { env })).exports });
}
for (const [m, n, k] of shapes) bench(m, n, k);

function bench(m, n, k) {
  const runs = engines.map(({ file, e }) => ({ file, run: setUp(e, file, m, n, k), rates: [] }));
  const flop = 2 * m * n * k;
  const end = performance.now() + (runs.length > 1 ? 4000 : 1500);
  while (performance.now() < end) {
    for (const r of runs) {
      const t0 = performance.now();
      let reps = 0;
      do { r.run(); reps++; } while (performance.now() - t0 < 100);
      r.rates.push((flop * reps) / (performance.now() - t0) / 1e6);
    }
  }
  for (const r of runs) {
    // The first slices include tier-up; later ones are steady.
    const steady = r.rates.slice(Math.min(3, r.rates.length - 1));
    console.log(`${r.file}: ${m}x${k}x${n}${packed ? ' packed A' : ''} median ${median(steady).toFixed(1)} GFLOP/s, best ${Math.max(...steady).toFixed(1)}`);
  }
}

/** Fills A and B, packs B (and A with --packed), checks a few entries; returns one GEMM call. */
function setUp(e, file, m, n, k) {
  e.reset();
  const a = e.alloc(m * k * 4), b = e.alloc(k * n * 4), c = e.alloc(m * n * 4), bp = e.alloc(e.packed_b_bytes(k, n));
  let f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < m * k; i++) f[a / 4 + i] = Math.sin(i);
  for (let i = 0; i < k * n; i++) f[b / 4 + i] = Math.cos(i);
  e.pack_b_f32(b, k, n, n, 0, bp);
  let run = () => e.gemm_f32(a, k, bp, c, n, m, n, k, 0, 0, 0, 0);
  if (packed) {
    const ap = e.alloc(e.packed_a_bytes(m, k));
    e.pack_a_f32(a, k, m, k, ap);
    run = () => e.gemm_packed_a_f32(a, ap, k, bp, c, n, m, n, k, 0, 1, 0, 0, 0);
  }
  run();
  f = new Float32Array(e.memory.buffer);
  for (const [i, j] of [[0, 0], [m - 1, n - 1], [Math.floor(m / 2), Math.min(3, n - 1)]]) {
    let s = 0;
    for (let kk = 0; kk < k; kk++) s += f[a / 4 + i * k + kk] * f[b / 4 + kk * n + j];
    const got = f[c / 4 + i * n + j];
    if (Math.abs(got - s) > 1e-3 * Math.max(1, Math.abs(s))) throw new Error(`${file}: mismatch at ${i},${j}: ${got} vs ${s}`);
  }
  return run;
}

function median(v) {
  return [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
}
