/**
 * Row-parallel jobs for kernels whose rows are independent (elementwise runs, softmax and
 * layer-norm rows, transpose rows): the rows are cut into ranges, one engine call per range,
 * spread over the engine's threads when the work repays waking them. Each call writes only
 * its own rows, so the result is the same, bit for bit, on any number of threads.
 */
import type { Engine } from './engine.js';
import { PARALLEL_MIN_WORK, ranges, taskCount } from './split.js';
import type { Task } from './threads/pool.js';

/**
 * Runs `task(r0, r1)` for ranges covering [0, rows) (each a multiple of `align` rows except the
 * last); the job splits when `work` reaches `min` (see {@link taskCount}: element operations
 * against PARALLEL_MIN_WORK, or elements against PARALLEL_MIN_ELEMENTS for memory-bound passes).
 */
export function rowTasks(engine: Engine, rows: number, work: number, task: (r0: number, r1: number) => Task, align = 1, min = PARALLEL_MIN_WORK): void {
  const parts = Math.min(taskCount(engine, work, min), Math.ceil(rows / align));
  if (parts <= 1) {
    engine.serial([task(0, rows)]);
    return;
  }
  engine.parallel(ranges(rows, parts, align).map(([r0, r1]) => task(r0, r1)));
}
