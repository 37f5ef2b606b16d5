/**
 * Load progress events. A load reports `download` (bytes arriving from the
 * network) or `cache` (bytes read from the persistent cache), then `compile`
 * (decoding the model, building the graph, preparing the backend) and `ready`.
 */
import { env } from '../env.js';

export type LoadPhase = 'download' | 'cache' | 'compile' | 'ready';

/** One progress event. */
export interface LoadProgress {
  phase: LoadPhase;
  /** Bytes done so far in this phase. */
  loaded: number;
  /** Bytes expected in this phase; undefined when unknown (a server that sends no Content-Length). */
  total?: number;
  /** The file this event is about: the model or an external data file (empty for models given as bytes). */
  url: string;
}

/** Receives {@link LoadProgress} events; exceptions it throws are reported as a warning, not a failed load. */
export type ProgressCallback = (event: LoadProgress) => void;

/** Calls the user's callback, never letting it break the load. */
export function reporter(cb: ProgressCallback | undefined): ProgressCallback {
  if (!cb) return () => {};
  return (event) => {
    try {
      cb(event);
    } catch (e) {
      warnOnce('progress-callback', `onProgress threw (${(e as Error)?.message ?? e}); loading continues`);
    }
  };
}

const warned = new Set<string>();

/** Prints a warning once per key in `seen` (default: process-wide), unless env.logLevel silences warnings. */
export function warnOnce(key: string, message: string, seen: Set<string> = warned): void {
  if (seen.has(key)) return;
  seen.add(key);
  if (env.logLevel === 'error' || env.logLevel === 'fatal') return;
  console.warn(`[wasmnn] ${message}`);
}
