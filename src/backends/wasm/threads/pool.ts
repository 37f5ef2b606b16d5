/**
 * A pool of workers that run engine kernels on one shared WebAssembly.Memory.
 *
 * A job is a list of tasks, each an engine export plus numeric arguments (pointers into the
 * shared memory, sizes). The calling thread publishes the tasks, wakes the workers, runs tasks
 * itself too, then waits for the last one. Workers sleep in Atomics.wait between jobs: an idle
 * pool uses no CPU. Control words (Int32, shared):
 *   WAKE    bumped once per job; workers wait on it
 *   TICKET  (job & 0x7fff) << 16 | next task index; claimed with compare-exchange
 *   COUNT   tasks in the current job
 *   DONE    tasks finished; each finished task notifies (a draining caller waits for any)
 *   STOP    set when the pool is terminated
 *   FAILED  set when a task threw (the job then fails)
 * and one Int32 per task slot, set when that task of the current job is done: a caller that
 * drains finished tasks' outputs (see run) reads them while the job still runs.
 */
import { WasmnnError } from '../../../errors.js';
import { SPIN_MS, WORKER_SOURCE } from './worker-source.js';

const WAKE = 0, TICKET = 1, COUNT = 2, DONE = 3, STOP = 4, FAILED = 5;
/** Float64 words per task: function index, argument count, up to 30 arguments. */
const SLOT = 32;
export const MAX_TASKS = 1024;
const EXHAUSTED = 0xffff;

/** One kernel call: an engine export by name and its numeric arguments. */
export interface Task {
  fn: string;
  args: readonly number[];
}

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** How long workers may take to start before the pool gives up (threads can silently fail to start). */
const START_TIMEOUT_MS = 10_000;

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly tasks: Float64Array;
  private readonly finished: Int32Array;
  private readonly fnIndex: Map<string, number>;
  private job = 0;
  private closed = false;

  private constructor(private readonly workers: WorkerLike[], ctrlBuf: SharedArrayBuffer, taskBuf: SharedArrayBuffer,
    finBuf: SharedArrayBuffer, names: readonly string[], private readonly local: Record<string, (...a: number[]) => unknown>) {
    this.ctrl = new Int32Array(ctrlBuf);
    this.tasks = new Float64Array(taskBuf);
    this.finished = new Int32Array(finBuf);
    this.fnIndex = new Map(names.map((n, i) => [n, i]));
  }

  /** Threads working on a job, the caller included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `threads - 1` workers that instantiate `module` on `memory` (the caller is the last
   * thread). `names` are the exports tasks may call; `local` are the caller's own instances of them.
   * Rejects when a worker fails to start or the pool is not ready within 10 s.
   */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, names: readonly string[],
    local: Record<string, (...a: number[]) => unknown>): Promise<ThreadPool> {
    const ctrlBuf = new SharedArrayBuffer(64);
    const taskBuf = new SharedArrayBuffer(MAX_TASKS * SLOT * 8);
    const finBuf = new SharedArrayBuffer(MAX_TASKS * 4);
    new Int32Array(ctrlBuf)[TICKET] = EXHAUSTED;
    const workers: WorkerLike[] = [];
    try {
      const ready = [];
      for (let i = 0; i < threads - 1; i++) {
        const { worker, started } = await spawnWorker();
        workers.push(worker);
        // A worker that dies after the pool gave up must not surface as an unhandled rejection.
        started.catch(() => undefined);
        ready.push(started);
        worker.postMessage({ kind: 'init', module, memory, ctrl: ctrlBuf, tasks: taskBuf, finished: finBuf, names });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw new WasmnnError('ERR_THREADS', `could not start ${threads - 1} engine worker(s): ${(e as Error).message}`, { cause: e });
    }
    return new ThreadPool(workers, ctrlBuf, taskBuf, finBuf, names, local);
  }

  /**
   * Runs every task (in any order, on any thread) and returns when all are done. `drain(i)`, when
   * given, runs on the calling thread once for each task i after it is done, while later tasks
   * may still run elsewhere: the caller copies a finished task's output out of shared memory
   * (which only it can do) between its own tasks instead of after the job.
   */
  run(tasks: readonly Task[], drain?: (i: number) => void): void {
    if (this.closed) throw new WasmnnError('ERR_THREADS', 'the thread pool was terminated');
    if (tasks.length === 0) return;
    if (tasks.length > MAX_TASKS) throw new RangeError(`at most ${MAX_TASKS} tasks per job, got ${tasks.length}`);
    if (tasks.length === 1 || this.workers.length === 0) {
      tasks.forEach((t, i) => { this.local[t.fn]!(...t.args); drain?.(i); });
      return;
    }
    const c = this.ctrl, tb = this.tasks, fin = this.finished;
    tasks.forEach((t, i) => {
      const fi = this.fnIndex.get(t.fn);
      if (fi === undefined) throw new Error(`engine export "${t.fn}" is not callable from the pool`);
      if (t.args.length > SLOT - 2) throw new RangeError(`task ${t.fn}: at most ${SLOT - 2} arguments`);
      const o = i * SLOT;
      tb[o] = fi;
      tb[o + 1] = t.args.length;
      for (let k = 0; k < t.args.length; k++) tb[o + 2 + k] = t.args[k]!;
    });
    // Cleared before the job is published (the stores below order it): only this job's tasks mark it.
    fin.fill(0, 0, tasks.length);
    const drains = drain ? new Drains(fin, tasks.length, drain) : undefined;
    this.job = (this.job + 1) & 0x7fff;
    Atomics.store(c, COUNT, tasks.length);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, TICKET, this.job << 16);
    Atomics.add(c, WAKE, 1);
    Atomics.notify(c, WAKE);
    // The caller claims tasks like any worker.
    for (;;) {
      const t = Atomics.load(c, TICKET);
      const i = t & 0xffff;
      if ((t >>> 16) !== this.job || i >= tasks.length) break;
      if (Atomics.compareExchange(c, TICKET, t, t + 1) !== t) continue;
      const task = tasks[i]!;
      try {
        this.local[task.fn]!(...task.args);
      } catch {
        Atomics.store(c, FAILED, 1);
      }
      Atomics.store(fin, i, 1);
      Atomics.add(c, DONE, 1);
      drains?.ready();
    }
    for (;;) {
      drains?.ready();
      const done = Atomics.load(c, DONE);
      if (done >= tasks.length) break;
      waitOn(c, DONE, done);
    }
    drains?.ready();
    // Nothing of this job can be claimed any more, even by a worker that read an old ticket.
    Atomics.store(c, TICKET, (this.job << 16) | EXHAUSTED);
    if (Atomics.load(c, FAILED)) throw new WasmnnError('ERR_ENGINE', 'an engine kernel failed on a worker thread');
    drains?.rethrow();
  }

  /** Stops the workers; the pool cannot run afterwards. */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, WAKE, 1);
    Atomics.notify(this.ctrl, WAKE);
    for (const w of this.workers) void w.terminate();
  }
}

/** The drain calls of one job: each finished task's once, on the calling thread. */
class Drains {
  private readonly seen: Uint8Array;
  private left: number;
  private error: unknown;

  constructor(private readonly fin: Int32Array, n: number, private readonly drain: (i: number) => void) {
    this.seen = new Uint8Array(n);
    this.left = n;
  }

  /** Drains every task finished since the last call. A drain that throws does not stop the job: its error is kept for rethrow. */
  ready(): void {
    for (let i = 0; this.left > 0 && i < this.seen.length; i++) {
      if (this.seen[i] || !Atomics.load(this.fin, i)) continue;
      this.seen[i] = 1;
      this.left--;
      try {
        this.drain(i);
      } catch (e) {
        this.error ??= e;
      }
    }
  }

  rethrow(): void {
    if (this.error !== undefined) throw this.error;
  }
}

/**
 * Waits until c[index] moves from value: watched for SPIN_MS first (the workers' last tasks
 * usually end within microseconds of the caller's), then Atomics.wait where the thread may
 * block (Node, workers), or a short spin where it may not (a page's main thread).
 */
function waitOn(c: Int32Array, index: number, value: number): void {
  // The clock is read once per 256 loads (as in the worker's watch loop, where each read allocated).
  // One load and one clock call, both reached on every call: a call site that optimized code had
  // never seen run (the clock after 256 loads) deoptimized this function 20–45 times a ResNet-50
  // run, in stretches of the first hundred runs.
  let until = -1;
  for (let k = 0; Atomics.load(c, index) === value; k++) {
    if ((k & 255) !== 0) continue;
    const now = performance.now();
    if (until < 0) until = now + SPIN_MS;
    else if (now >= until) break;
  }
  if (until < 0 || Atomics.load(c, index) !== value) return;
  try {
    Atomics.wait(c, index, value, 50);
  } catch {
    for (let k = 0; k < 1000 && Atomics.load(c, index) === value; k++) { /* spin */ }
  }
}

async function spawnWorker(): Promise<{ worker: WorkerLike; started: Promise<void> }> {
  const onMessage = (resolve: () => void, reject: (e: Error) => void) => (m: { kind: string; message?: string }) => {
    if (m.kind === 'ready') resolve();
    else if (m.kind === 'error') reject(new Error(m.message));
  };
  if (typeof process === 'object' && process.versions?.node) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(WORKER_SOURCE, { eval: true });
    const started = new Promise<void>((resolve, reject) => {
      w.on('message', onMessage(resolve, reject));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
    });
    // Sleeping workers must not keep the process alive. Unref after the listeners are added:
    // adding a 'message' listener refs the worker's port again (a script that never called
    // release() then never exited).
    w.unref();
    return { worker: w, started };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(url);
  const started = new Promise<void>((resolve, reject) => {
    const h = onMessage(resolve, reject);
    w.onmessage = (e: MessageEvent) => h(e.data as { kind: string });
    w.onerror = (e) => reject(new Error(e.message || 'worker failed to start'));
  });
  started.finally(() => URL.revokeObjectURL(url)).catch(() => undefined);
  return { worker: w, started };
}
