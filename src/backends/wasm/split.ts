/**
 * How kernels divide work over the engine's threads: into about two tasks per thread (so one
 * slow thread does not hold the job), only when the work repays waking the workers.
 */
import type { Engine } from './engine.js';

/** Multiply-adds (or comparable element operations) below which a job runs on the calling thread. */
export const PARALLEL_MIN_WORK = 1 << 20;

/**
 * Convolutions' multiply-adds from which splitting pays: their tasks are long, even runs of one
 * kernel, and MobileNet's many small layers (0.3–1 M multiply-adds) stayed on one thread at 2^20.
 */
export const CONV_MIN_WORK = 1 << 18;

/**
 * Memory-bound passes (copies, im2col, pooling) measured per element: one job's dispatch (an
 * empty job costs about 5–7 µs on two threads) is repaid from about this many elements.
 */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;

/**
 * Tasks to cut a job into, or 1 when it should run on the calling thread. `min` is the work a
 * kernel needs to repay the dispatch (default: {@link PARALLEL_MIN_WORK} multiply-adds).
 */
export function taskCount(engine: Engine, work: number, min = PARALLEL_MIN_WORK): number {
  return engine.threads > 1 && work >= min ? 2 * engine.threads : 1;
}

/** [start, end) ranges covering [0, n) in at most `parts` pieces, each a multiple of `align` except the last. */
export function ranges(n: number, parts: number, align = 1): [number, number][] {
  const size = Math.max(align, Math.ceil(n / parts / align) * align);
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}
