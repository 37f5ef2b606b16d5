import type { Backend } from '../backends/backend.js';
import { jsBackend } from '../backends/js/index.js';
import { bestFlavor, type EngineFlavor } from '../backends/wasm/engine.js';
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
      const flavors = wasmFlavors();
      if (!flavors.length) { skipped.push('wasm: this host has no WebAssembly SIMD'); continue; }
      // An engine that fails to initialise (a build missing, a CSP refusing compilation, a host whose
      // relaxed SIMD validates but will not compile) falls back to the next flavor, then the next provider.
      for (const flavor of flavors) {
        try {
          const r = await createWasm(flavor, numThreads);
          return { backend: r.backend, reason: `${why}: ${r.reason}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}` };
        } catch (e) {
          skipped.push(`wasm ${FLAVOR_NAMES[flavor]} engine failed: ${(e as Error).message}`);
        }
      }
      continue;
    }
    skipped.push(`${name}: not available in this build`);
  }
  throw new WasmnnError('ERR_NO_BACKEND', `no requested execution provider is available (${skipped.join('; ')})`);
}

const FLAVOR_NAMES: Record<EngineFlavor, string> = { relaxed: 'relaxed SIMD', simd: 'SIMD128' };

/** Engine flavors to try, best first: relaxed SIMD (where the host has it), then SIMD128. */
function wasmFlavors(): EngineFlavor[] {
  const best = bestFlavor();
  return best === 'relaxed' ? ['relaxed', 'simd'] : best ? [best] : [];
}

/** One wasm engine with the configured threads; threads that fail to start degrade to one thread, not to an error. */
async function createWasm(flavor: EngineFlavor, numThreads: number | undefined): Promise<{ backend: Backend; reason: string }> {
  const engineName = `WebAssembly ${FLAVOR_NAMES[flavor]} engine`;
  const t = await resolveThreads(numThreads);
  if (t.threads > 1) {
    try {
      // Threads asked for by number start now; automatic ones on the first large job.
      const backend = await createWasmBackend(flavor, t.threads, t.explicit);
      if (t.explicit && !backend.threadsActive()) return { backend, reason: `${engineName}, 1 thread: the worker threads did not start` };
      return { backend, reason: `${engineName}, ${t.reason}` };
    } catch (e) {
      const msg = `threads unavailable, running on 1 thread: ${(e as Error).message}`;
      console.warn(`wasmnn: ${msg}`);
      return { backend: await createWasmBackend(flavor, 1), reason: `${engineName}, ${msg}` };
    }
  }
  return { backend: await createWasmBackend(flavor, 1), reason: `${engineName}, ${t.reason}` };
}
