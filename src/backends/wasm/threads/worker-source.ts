/**
 * The program every pool worker runs, as source text: Node starts it with `eval: true` and
 * browsers from a Blob URL, so no worker file has to be located next to a bundle.
 *
 * The worker instantiates the engine module on the pool's shared memory, says 'ready', then
 * sleeps in Atomics.wait until the wake counter moves. After each job it first watches the
 * counter for SPIN_MS: a model run's kernels come back to back, and waking from a futex
 * costs tens of microseconds per job; an idle worker is asleep after that. Each wake it
 * claims tasks from the ticket word (job number in the high 16 bits, next task index in the
 * low 16) with compare-exchange, so a claim can never land in another job. Each task is an
 * engine export called with numeric arguments; each one done is marked in the finished table
 * and wakes the caller. Layout of the control words and task table: see pool.ts (repeated here
 * on purpose: this text runs elsewhere).
 */
/** How long a worker, or the caller waiting for its tasks, watches a word before sleeping on it. */
export const SPIN_MS = 2;

export const WORKER_SOURCE = `
'use strict';
const WAKE = 0, TICKET = 1, COUNT = 2, DONE = 3, STOP = 4, FAILED = 5;
const SLOT = 32;
const SPIN_MS = ${SPIN_MS};
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
// Node evaluates this text as CommonJS, or as an ES module (no require) when the process was
// started with --input-type=module, which workers inherit.
const nodePort = () => typeof require === 'function' ? Promise.resolve(require('node:worker_threads').parentPort)
  : import('node:worker_threads').then((w) => w.parentPort);
(isNode ? nodePort() : Promise.resolve(self)).then((port) => {
const listen = (h) => isNode ? port.on('message', h) : (self.onmessage = (e) => h(e.data));
listen(async (m) => {
  if (m.kind !== 'init') return;
  let exports;
  try {
    const instance = await WebAssembly.instantiate(m.module, { env: { memory: m.memory, abort: () => { throw new Error('engine aborted'); } } });
    exports = instance.exports;
  } catch (e) {
    port.postMessage({ kind: 'error', message: String(e && e.message || e) });
    return;
  }
  const ctrl = new Int32Array(m.ctrl);
  const tasks = new Float64Array(m.tasks);
  const finished = new Int32Array(m.finished);
  const fns = m.names.map((n) => exports[n]);
  port.postMessage({ kind: 'ready' });
  let seen = Atomics.load(ctrl, WAKE);
  for (;;) {
    const until = performance.now() + SPIN_MS;
    // The clock is read once per 256 loads: read on every pass, it allocated about 20 MB a second
    // here (BERT-base on 2 threads: a scavenge every 0.1 s, some of 1–2 ms, now one every 2 s).
    for (let k = 1; Atomics.load(ctrl, WAKE) === seen; k++) if ((k & 255) === 0 && performance.now() >= until) break;
    Atomics.wait(ctrl, WAKE, seen);
    seen = Atomics.load(ctrl, WAKE);
    if (Atomics.load(ctrl, STOP)) return;
    for (;;) {
      const t = Atomics.load(ctrl, TICKET);
      const i = t & 0xffff;
      const count = Atomics.load(ctrl, COUNT);
      if (i >= count) break;
      if (Atomics.compareExchange(ctrl, TICKET, t, t + 1) !== t) continue;
      const o = i * SLOT;
      const argc = tasks[o + 1];
      const args = new Array(argc);
      for (let k = 0; k < argc; k++) args[k] = tasks[o + 2 + k];
      try { fns[tasks[o]](...args); } catch (e) { Atomics.store(ctrl, FAILED, 1); }
      Atomics.store(finished, i, 1);
      // Every task wakes the caller: one that drains finished tasks may be waiting for any of them.
      Atomics.add(ctrl, DONE, 1);
      Atomics.notify(ctrl, DONE);
    }
  }
});
});
`;
