/**
 * GEMM calls spread over the engine's threads. Each call is split by rows into chunks (a
 * multiple of the micro-kernel's 4 rows) that write disjoint rows of C, so the result is the
 * same, bit for bit, on any number of threads; a batch of calls (attention heads) becomes one
 * job. Work too small to repay waking the workers (about tens of microseconds) stays on the
 * calling thread.
 */
import type { Engine } from './engine.js';
import { ranges, taskCount } from './split.js';
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
}

function task(g: GemmCall, r0: number, rows: number): Task {
  const a = g.a + r0 * g.lda * 4, c = g.c + r0 * g.ldc * 4;
  if (g.perRowBias) {
    return { fn: 'gemm_f32_bias', args: [a, g.lda, g.bp, c, g.ldc, rows, g.n, g.k, g.bias ? g.bias + r0 * 4 : 0, 2, g.act ?? 0, g.lo ?? 0, g.hi ?? 0] };
  }
  return { fn: 'gemm_f32', args: [a, g.lda, g.bp, c, g.ldc, rows, g.n, g.k, g.bias ?? 0, g.act ?? 0, g.lo ?? 0, g.hi ?? 0] };
}

/** Runs every call, split over the engine's threads when the work is large enough. */
export function gemmCalls(engine: Engine, calls: readonly GemmCall[]): void {
  let macs = 0;
  for (const g of calls) macs += g.m * g.n * g.k;
  const parts = taskCount(engine, macs);
  const tasks: Task[] = [];
  // Every thread gets a share: split each call so that calls × chunks ≥ parts.
  const perCall = Math.max(1, Math.ceil(parts / calls.length));
  for (const g of calls) for (const [r0, r1] of ranges(g.m, perCall, 4)) tasks.push(task(g, r0, r1 - r0));
  if (parts > 1) engine.parallel(tasks);
  else engine.serial(tasks);
}

/** One call: see {@link gemmCalls}. */
export function gemm(engine: Engine, call: GemmCall): void {
  gemmCalls(engine, [call]);
}
