/** Entry of the proxy worker: Node worker_threads or a browser module worker. */
import { serve } from './host.js';
import type { HostReply, HostRequest } from './protocol.js';

// No top-level await: bundlers build worker scripts in formats (iife) that do not allow it.
if (typeof process === 'object' && process.versions?.node && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined') {
  void import('node:worker_threads').then(({ parentPort }) => {
    serve((h) => parentPort!.on('message', h), (r: HostReply, t?: Transferable[]) => parentPort!.postMessage(r, t as never));
  });
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<HostRequest>) => void) | null; postMessage(m: unknown, t?: Transferable[]): void };
  serve((h) => { scope.onmessage = (e) => h(e.data); }, (r, t) => scope.postMessage(r, t ?? []));
}
