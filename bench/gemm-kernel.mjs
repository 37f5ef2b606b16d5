// Micro-benchmark of the engine's f32 GEMM kernel: GFLOP/s for m×k·k×n on one core.
// node [--experimental-wasm-relaxed-simd] bench/gemm-kernel.mjs <engine.wasm> [m n k]
// Without a shape: 1024³ and BERT-base's Linear layers (128 tokens; k×n 768×768, 768×3072, 3072×768).
// A -mt build runs here on one thread, on the shared memory it imports: set beside its plain
// build, this shows what each pool thread gets: on Node 20 the relaxed -mt build ran these
// GEMMs 4–9% slower than the plain one (the same kernel bytes; V8 compiles the loop over
// shared memory differently), while the two simd128 builds ran alike.
import { readFileSync } from 'node:fs';

const [file, ...dims] = process.argv.slice(2);
const shapes = dims.length ? [dims.map(Number)] : [[1024, 1024, 1024], [128, 768, 768], [128, 3072, 768], [128, 768, 3072]];
const module = new WebAssembly.Module(readFileSync(file));
const env = { abort() { throw new Error('abort'); } };
if (WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) {
  env.memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
}
const instance = await WebAssembly.instantiate(module, { env });
const e = instance.exports;
for (const [m, n, k] of shapes) bench(m, n, k);

function bench(m, n, k) {
  e.reset();
  const a = e.alloc(m * k * 4), b = e.alloc(k * n * 4), c = e.alloc(m * n * 4), bp = e.alloc(e.packed_b_bytes(k, n));
  let f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < m * k; i++) f[a / 4 + i] = Math.sin(i);
  for (let i = 0; i < k * n; i++) f[b / 4 + i] = Math.cos(i);
  e.pack_b_f32(b, k, n, n, 0, bp);
  // Check a few entries against a scalar dot product.
  e.gemm_f32(a, k, bp, c, n, m, n, k, 0, 0, 0, 0);
  f = new Float32Array(e.memory.buffer);
  for (const [i, j] of [[0, 0], [m - 1, n - 1], [Math.floor(m / 2), Math.min(3, n - 1)]]) {
    let s = 0;
    for (let kk = 0; kk < k; kk++) s += f[a / 4 + i * k + kk] * f[b / 4 + kk * n + j];
    const got = f[c / 4 + i * n + j];
    if (Math.abs(got - s) > 1e-3 * Math.max(1, Math.abs(s))) throw new Error(`mismatch at ${i},${j}: ${got} vs ${s}`);
  }
  // Wall time and this thread's CPU time (less sensitive to other work on a shared machine).
  const times = [], cpu = [];
  for (let r = 0; r < 12; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    e.gemm_f32(a, k, bp, c, n, m, n, k, 0, 0, 0, 0);
    const dc = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((dc.user + dc.system) / 1000);
  }
  const wall = median(times), cp = median(cpu), flop = 2 * m * n * k;
  console.log(`${file}: ${m}x${k}x${n} median wall ${wall.toFixed(1)} ms (${(flop / wall / 1e6).toFixed(1)} GFLOP/s), cpu ${cp.toFixed(1)} ms (${(flop / cp / 1e6).toFixed(1)} GFLOP/s)`);
}

function median(v) {
  return v.sort((x, y) => x - y)[Math.floor(v.length / 2)];
}
