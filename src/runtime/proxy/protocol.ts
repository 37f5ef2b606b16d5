/** Messages between a proxied session's caller and the worker that runs it (see remote-session.ts, host.ts). */

/** A tensor crossing postMessage; its buffer is transferred. */
export interface WireTensor {
  type: string;
  dims: number[];
  data: ArrayBufferView | string[];
}

/** Session options that can cross to the worker (no callbacks, signals or cache objects). */
export interface WireSessionOptions {
  executionProviders?: unknown[];
  intraOpNumThreads?: number;
  numThreads?: number;
  integrity?: string;
  cache?: false | 'auto' | 'indexeddb' | 'cache-api' | { dir: string };
  externalData?: { path: string; data: Uint8Array | string }[];
  wantProgress?: boolean;
}

export type HostRequest =
  | { id: number; kind: 'create'; model: string | Uint8Array; options: WireSessionOptions }
  | { id: number; kind: 'run'; session: number; feeds: Record<string, WireTensor>; fetches?: string[] }
  | { id: number; kind: 'release'; session: number }
  /** Creates a task pipeline in the worker; `options` went through wire.ts's `toWire`. */
  | { id: number; kind: 'pipeline'; task: string; model: string | Uint8Array; options: unknown; numThreads?: number; wantProgress?: boolean }
  /** Calls a pipeline (`method` absent) or one of its methods; `args` went through `toWire`. */
  | { id: number; kind: 'call'; session: number; method?: string; args: unknown[] };

/** What the caller learns about a pipeline made in the worker. */
export interface PipelineInfo {
  /** Its session, registered like a proxied session's (release it to free the pipeline). */
  session: SessionInfo;
  /** Plain-data properties of the pipeline (sample rate, window size, labels…). */
  data: Record<string, unknown>;
  /** Names of its methods other than release(), callable with 'call'. */
  methods: string[];
}

export interface SessionInfo {
  session: number;
  inputNames: string[];
  outputNames: string[];
  inputMetadata: unknown[];
  outputMetadata: unknown[];
  backend: string;
  backendReason: string;
}

export type HostReply =
  | { id: number; ok: true; kind: 'created'; info: SessionInfo }
  | { id: number; ok: true; kind: 'ran'; outputs: Record<string, WireTensor> }
  | { id: number; ok: true; kind: 'released' }
  | { id: number; ok: true; kind: 'progress'; progress: unknown }
  | { id: number; ok: true; kind: 'pipeline-created'; info: PipelineInfo }
  | { id: number; ok: true; kind: 'returned'; value: unknown }
  | { id: number; ok: false; error: WireError };

/** An error crossing back: class name, code, message, and its own plain fields (inputName, url…). */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  fields?: Record<string, string | number | boolean>;
}
