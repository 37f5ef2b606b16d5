/**
 * How kernels divide work over the engine's threads: into about two tasks per thread (so one
 * slow thread does not hold the job), only when the work repays waking the workers.
 */
import type { Engine } from './engine.js';

/** Multiply-adds (or comparable element operations) below which a job runs on the calling thread. */
export const PARALLEL_MIN_WORK = 1 << 20;

/** Tasks to cut a job into, or 1 when it should run on the calling thread. */
export function taskCount(engine: Engine, work: number): number {
  return engine.threads > 1 && work >= PARALLEL_MIN_WORK ? 2 * engine.threads : 1;
}

/** [start, end) ranges covering [0, n) in at most `parts` pieces, each a multiple of `align` except the last. */
export function ranges(n: number, parts: number, align = 1): [number, number][] {
  const size = Math.max(align, Math.ceil(n / parts / align) * align);
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}
