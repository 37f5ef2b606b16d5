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
  | { id: number; kind: 'release'; session: number };

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
  | { id: number; ok: false; error: { name: string; code?: string; message: string } };
