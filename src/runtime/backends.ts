import type { Backend } from '../backends/backend.js';
import { jsBackend } from '../backends/js/index.js';
import { bestFlavor } from '../backends/wasm/engine.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { WasmnnError } from '../errors.js';
import { resolveThreads } from '../backends/wasm/threads/config.js';

/** An execution provider name, or `{ name }` as onnxruntime-web accepts. */
export type ExecutionProviderConfig = string | { name: string; [k: string]: unknown };

const KNOWN = new Set(['js', 'cpu', 'wasm', 'webgpu', 'webnn', 'webgl']);

/**
 * Creates the first backend that works, in the requested order (default: wasm,
 * then js). Each skipped provider is reported with its reason.
 */
export async function resolveBackend(requested?: readonly ExecutionProviderConfig[], numThreads?: number): Promise<{ backend: Backend; reason: string }> {
  const names = (requested?.length ? requested : ['wasm', 'js']).map((r) => (typeof r === 'string' ? r : r?.name));
  const skipped: string[] = [];
  for (const name of names) {
    if (!KNOWN.has(name)) throw new WasmnnError('ERR_BACKEND', `unknown execution provider "${name}"; known: ${[...KNOWN].join(', ')}`);
    const why = requested?.length ? `requested "${name}"` : 'best available';
    const tail = skipped.length ? ` (skipped: ${skipped.join('; ')})` : '';
    if (name === 'js' || name === 'cpu') return { backend: jsBackend, reason: `${why}: JavaScript reference kernels${tail}` };
    if (name === 'wasm') {
      const flavor = bestFlavor();
      if (!flavor) { skipped.push('wasm: this host has no WebAssembly SIMD'); continue; }
      try {
        const engineName = `WebAssembly ${flavor === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'} engine`;
        const t = await resolveThreads(numThreads);
        if (t.threads > 1) {
          try {
            // Threads asked for by number start now; automatic ones on the first large job.
            const backend = await createWasmBackend(flavor, t.threads, t.explicit);
            if (t.explicit && !backend.threadsActive()) {
              return { backend, reason: `${why}: ${engineName}, 1 thread: the worker threads did not start${tail}` };
            }
            return { backend, reason: `${why}: ${engineName}, ${t.reason}${tail}` };
          } catch (e) {
            // Threads that fail to start must not fail the session: one thread, and say why.
            const msg = `threads unavailable, running on 1 thread: ${(e as Error).message}`;
            console.warn(`wasmnn: ${msg}`);
            const backend = await createWasmBackend(flavor, 1);
            return { backend, reason: `${why}: ${engineName}, ${msg}${tail}` };
          }
        }
        const backend = await createWasmBackend(flavor, 1);
        return { backend, reason: `${why}: ${engineName}, ${t.reason}${tail}` };
      } catch (e) {
        skipped.push(`wasm: ${(e as Error).message}`);
        continue;
      }
    }
    skipped.push(`${name}: not available in this build`);
  }
  throw new WasmnnError('ERR_NO_BACKEND', `no requested execution provider is available (${skipped.join('; ')})`);
}
