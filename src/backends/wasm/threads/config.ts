/**
 * How many threads the wasm engine gets: `env.wasm.numThreads` or a session's
 * `intraOpNumThreads`; 0 means automatic, min(4, ceil(cores / 2)), where shared memory works.
 * Where it does not (a page that is not cross-origin isolated), one thread and one warning that
 * says how to enable threads.
 */
let warned = false;

/** Why WebAssembly threads cannot run here, or undefined when they can. */
export function threadsUnavailableReason(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; window?: unknown; importScripts?: unknown };
  const browser = typeof g.window === 'object' || typeof g.importScripts === 'function';
  if (browser && g.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated: serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and '
      + '"Cross-Origin-Embedder-Policy: require-corp" (or credentialless) to enable threads';
  }
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available in this environment';
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(m.buffer instanceof SharedArrayBuffer)) return 'WebAssembly shared memory is not supported';
  } catch (e) {
    return `WebAssembly shared memory is not supported (${(e as Error).message})`;
  }
  return undefined;
}

/** Logical cores: navigator.hardwareConcurrency where there is one, else Node's os module. */
export async function coreCount(): Promise<number> {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (n && n > 0) return n;
  if (typeof process === 'object' && process.versions?.node) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return 1;
}

/** The thread count to use for `requested` (0/undefined = automatic), and a warning when threads were asked for but cannot run. */
export async function resolveThreads(requested: number | undefined): Promise<{ threads: number; reason: string; explicit: boolean }> {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 0)) {
    throw new RangeError(`numThreads must be a whole number ≥ 0 (0 = automatic), got ${String(requested)}`);
  }
  const cores = await coreCount();
  const auto = !requested;
  const wanted = auto ? Math.min(4, Math.ceil(cores / 2)) : requested!;
  if (wanted <= 1) return { threads: 1, reason: auto ? `1 thread (automatic for ${cores} core(s))` : '1 thread (requested)', explicit: !auto };
  const why = threadsUnavailableReason();
  if (why) {
    if (!warned) {
      warned = true;
      console.warn(`wasmnn: running on 1 thread: ${why}`);
    }
    return { threads: 1, reason: `1 thread: ${why}`, explicit: !auto };
  }
  return { threads: wanted, reason: `${wanted} threads (${auto ? `automatic for ${cores} cores` : 'requested'})`, explicit: !auto };
}
