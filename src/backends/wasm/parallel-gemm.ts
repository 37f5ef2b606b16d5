/**
 * GEMM calls spread over the engine's threads. Each call is split by rows (a multiple of the
 * micro-kernel's 4 rows) or by columns (whole 8-column panels) into chunks that write disjoint
 * parts of C, so the result is the same, bit for bit, on any number of threads; a batch of
 * calls (attention heads) becomes one job. Work too small to repay waking the workers (about tens of microseconds) stays on the
 * calling thread.
 */
import type { Engine } from './engine.js';
import { PARALLEL_MIN_ELEMENTS, PARALLEL_MIN_WORK, ranges, taskCount } from './split.js';
import type { Task } from './threads/pool.js';

/**
 * One GEMM call: C[m×n] = A[m×k] · packed B, with bias and activation in the store. Bias per
 * column (`gemm_f32`, the default) or, with `perRowBias`, per row (`gemm_f32_bias` mode 2, as
 * convolutions use it: rows are output channels).
 */
export interface GemmCall {
  a: number; lda: number; bp: number; c: number; ldc: number;
  m: number; n: number; k: number;
  bias?: number; act?: number; lo?: number; hi?: number;
  perRowBias?: boolean;
  /** A residual [m×n] (row stride ldc) added before the activation, in the same task (`gemm_residual_f32`). */
  res?: number;
  /** A JavaScript array [m×n] that C is copied into, each task's rows as soon as the task is done. */
  copy?: Float32Array;
}

/**
 * Rows [r0, r0 + rows) and columns [c0, c0 + cols) of a call (r0 a multiple of 4, c0 of the
 * 8-column panels); `ap` is the call's A packed by pack_a_f32, or 0.
 */
function task(g: GemmCall, ap: number, r0: number, rows: number, c0: number, cols: number): Task {
  const a = g.a + r0 * g.lda * 4, c = g.c + (r0 * g.ldc + c0) * 4, bp = g.bp + c0 * g.k * 4;
  const mode = g.perRowBias ? 2 : 1;
  const bias = !g.bias ? 0 : g.perRowBias ? g.bias + r0 * 4 : g.bias + c0 * 4;
  const act = [g.act ?? 0, g.lo ?? 0, g.hi ?? 0];
  const res = g.res ? [g.res + (r0 * g.ldc + c0) * 4] : [];
  const tail = [g.lda, bp, c, g.ldc, rows, cols, g.k, bias, mode, ...res, ...act];
  if (ap) return { fn: g.res ? 'gemm_packed_a_residual_f32' : 'gemm_packed_a_f32', args: [a, ap + r0 * g.k * 4, ...tail] };
  return { fn: g.res ? 'gemm_residual_f32' : 'gemm_f32_bias', args: [a, ...tail] };
}

/** Whether an m×n product cut into `parts` tasks is split by columns (whole 8-column panels) rather than by rows. */
export function splitsByColumns(m: number, n: number, parts: number): boolean {
  return parts > 1 && n >= m && Math.ceil(n / 8) >= parts;
}

/** A task and the part of C it writes: rows [r0, r1), columns [c0, c1). */
interface Chunk { task: Task; r0: number; r1: number; c0: number; c1: number }

/**
 * Each split call copied out as it runs is cut this many times finer, by rows: the calling thread
 * copies finished chunks between its own, and a finer cut leaves less to copy after the last.
 */
const COPIED_SPLIT = 2;

/**
 * A call's share of `parts` tasks. Row chunks each stream all of packed B, column chunks all of
 * A: split the columns when A is the smaller (few output channels over many pixels) and there
 * are panels enough. A call copied out as it runs is cut by rows, COPIED_SPLIT times finer,
 * when it has the rows for it: a row chunk copies in one piece. Either way every element is
 * computed by the same instructions, so the result does not depend on the split.
 */
function split(g: GemmCall, ap: number, parts: number): Chunk[] {
  const finer = g.copy && parts > 1 ? parts * COPIED_SPLIT : parts;
  const copiedByRows = finer > parts && Math.ceil(g.m / 4) >= finer;
  if (!copiedByRows && splitsByColumns(g.m, g.n, parts)) {
    return ranges(g.n, parts, 8).map(([c0, c1]) => ({ task: task(g, ap, 0, g.m, c0, c1 - c0), r0: 0, r1: g.m, c0, c1 }));
  }
  return ranges(g.m, copiedByRows ? finer : parts, 4).map(([r0, r1]) => ({ task: task(g, ap, r0, r1 - r0, 0, g.n), r0, r1, c0: 0, c1: g.n }));
}

/** Copies a chunk's part of the call's C into its `copy`. */
function copyPart(engine: Engine, g: GemmCall, { r0, r1, c0, c1 }: Chunk): void {
  const out = g.copy!;
  if (c0 === 0 && c1 === g.n && g.ldc === g.n) { out.set(engine.f32(g.c + r0 * g.n * 4, (r1 - r0) * g.n), r0 * g.n); return; }
  for (let r = r0; r < r1; r++) out.set(engine.f32(g.c + (r * g.ldc + c0) * 4, c1 - c0), r * g.n + c0);
}

/**
 * Whether a split call reads A packed: its A is data of the run (a weight A, as convolutions'
 * per-row-bias calls have, would be packed anew each run), and with at least 4 panels the one
 * packing pass costs at most about a 32nd of the multiply-adds.
 */
const packsA = (g: GemmCall) => !g.perRowBias && g.m >= 4 && g.n >= 32;

/**
 * Packs the A of each call that reads it packed into the engine's job scratch before the GEMM
 * job (one pass serves every task); 0 for the others. Split jobs run on the shared-memory
 * build, where V8 ran the relaxed strided-A micro-kernel 4–9% slower than the packed one when
 * this was added (see pack_a_f32). On 2026-11-22, before the packed loop ended on B's pointer,
 * the two differed by 1–2% on the engine alone, yet not packing was no faster in BERT-base (two
 * threads, eight process pairs: 268.3 against 268.9 ms) and two of six matmul 1024² processes
 * ran 28–29 ms against 24–25. The simd128 builds run the strided loop alike on both memories
 * (packing, simd128 matmul 1024² on 2 threads took 35.7–39.7 ms in two bench runs against
 * 30.8–31.2 without), and one thread keeps the plain build, so only relaxed split jobs pack.
 * The packing is itself split by 4-row groups over the threads once it is worth a dispatch. It
 * is memory-bound, so two threads gain less than 2×: BERT-base's 74 packs per run on 2 threads
 * took 3.3 ms split against 4.9–5.1 ms on the calling thread; matmul 1024²'s one, 0.53 against
 * 0.64 ms. Each call's A is cut as its GEMM is (`perCall` chunks).
 */
function packA(engine: Engine, calls: readonly GemmCall[], perCall: number): number[] {
  if (engine.flavor !== 'relaxed') return calls.map(() => 0);
  const x = engine.exports;
  const bytes = calls.map((g) => (packsA(g) ? x.packed_a_bytes(g.m, g.k) : 0));
  let ptr = engine.jobScratch(bytes.reduce((s, b) => s + b, 0));
  const tasks: Task[] = [];
  let elements = 0;
  const aps = calls.map((g, i) => {
    if (!bytes[i]) return 0;
    const ap = ptr;
    ptr += bytes[i]!;
    const groups = g.m & ~3;
    elements += groups * g.k;
    for (const [r0, r1] of ranges(groups, perCall, 4)) {
      tasks.push({ fn: 'pack_a_f32', args: [g.a + r0 * g.lda * 4, g.lda, r1 - r0, g.k, ap + r0 * g.k * 4] });
    }
    return ap;
  });
  if (elements >= PARALLEL_MIN_ELEMENTS) engine.parallel(tasks);
  else engine.serial(tasks);
  return aps;
}

/**
 * Runs every call, split over the engine's threads when the work is at least `minWork`
 * multiply-adds (callers that already decided to split pass their own threshold).
 */
export function gemmCalls(engine: Engine, calls: readonly GemmCall[], minWork = PARALLEL_MIN_WORK): void {
  let macs = 0;
  for (const g of calls) macs += g.m * g.n * g.k;
  const parts = taskCount(engine, macs, minWork);
  const tasks: Task[] = [];
  // Every thread gets a share: split each call so that calls × chunks ≥ parts.
  const perCall = Math.max(1, Math.ceil(parts / calls.length));
  const aps = parts > 1 ? packA(engine, calls, perCall) : calls.map(() => 0);
  const copies: (() => void)[] = [];
  calls.forEach((g, i) => {
    for (const c of split(g, aps[i]!, perCall)) {
      if (g.copy) copies[tasks.length] = () => copyPart(engine, g, c);
      tasks.push(c.task);
    }
  });
  const drain = copies.length > 0 ? (i: number) => copies[i]?.() : undefined;
  if (parts > 1) engine.parallel(tasks, drain);
  else engine.serial(tasks, drain);
}

/** One call: see {@link gemmCalls}. */
export function gemm(engine: Engine, call: GemmCall): void {
  gemmCalls(engine, [call]);
}
