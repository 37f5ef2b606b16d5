/**
 * A session that runs in a worker (Web Worker in browsers, worker_threads in Node) so the
 * caller's thread stays free: same async API as InferenceSession. Every proxied session of a
 * page or process shares one worker. A worker crash rejects what is pending with a clear error;
 * the next `create` starts a fresh worker.
 */
import { SessionStateError, WasmnnError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import type { HostReply, HostRequest, SessionInfo, WireSessionOptions, WireTensor } from './protocol.js';
import { errorFromWire } from './wire.js';

interface Port {
  post(m: HostRequest, transfer: Transferable[]): void;
  terminate(): void;
  /** Node: keep the process alive only while requests are pending. */
  hold?(busy: boolean): void;
}

type Pending = { resolve: (r: HostReply) => void; reject: (e: Error) => void; onProgress?: (p: unknown) => void };

/** The one proxy worker and the requests waiting on it. */
export class ProxyWorker {
  private next = 1;
  readonly pending = new Map<number, Pending>();
  /** Sessions alive in this worker; the worker is stopped when the last one is released. */
  sessions = 0;
  private constructor(readonly port: Port) {}

  static async start(): Promise<ProxyWorker> {
    // The entry sits beside this module: .ts when running from source (tsx), .js once built.
    const entry = new URL(import.meta.url.endsWith('.ts') ? './host-entry.ts' : './host-entry.js', import.meta.url);
    let pw: ProxyWorker;
    const onReply = (r: HostReply) => {
      const p = pw.pending.get(r.id);
      if (!p) return;
      if (r.ok && r.kind === 'progress') { p.onProgress?.(r.progress); return; }
      pw.pending.delete(r.id);
      if (pw.pending.size === 0) pw.port.hold?.(false);
      if (r.ok) p.resolve(r);
      else p.reject(errorFromWire(r.error));
    };
    const onCrash = (why: string) => {
      if (current === pw) current = undefined;
      const err = new WasmnnError('ERR_WORKER_CRASHED', `the inference worker stopped (${why}); pending runs were cancelled, create the session again`);
      for (const p of pw.pending.values()) p.reject(err);
      pw.pending.clear();
      pw.dead = true;
    };
    if (typeof process === 'object' && process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined') {
      const { Worker } = await import('node:worker_threads');
      // From source (tests, tsx) the worker registers tsx itself: loader hooks are per thread.
      const w = entry.pathname.endsWith('.ts')
        ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true })
        : new Worker(entry);
      w.on('message', onReply);
      w.on('error', (e) => onCrash(e.message));
      w.on('exit', (code) => { if (!pw.stopping) onCrash(`exit code ${code}`); });
      pw = new ProxyWorker({ post: (m, t) => w.postMessage(m, t as never), terminate: () => void w.terminate(), hold: (busy) => (busy ? w.ref() : w.unref()) });
      // An idle proxy worker must not keep the process alive.
      w.unref();
    } else {
      // A literal new URL(…, import.meta.url) inside new Worker(…): the form bundlers (Vite, webpack)
      // recognise, so they emit the worker script next to the bundle.
      const w = new Worker(new URL('./host-entry.js', import.meta.url), { type: 'module' });
      w.onmessage = (e: MessageEvent<HostReply>) => onReply(e.data);
      w.onerror = (e) => { e.preventDefault(); onCrash(e.message || 'script error'); w.terminate(); };
      pw = new ProxyWorker({ post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() });
    }
    return pw;
  }

  dead = false;
  stopping = false;

  request(m: HostRequest extends infer R ? (R extends HostRequest ? Omit<R, 'id'> : never) : never, transfer: Transferable[] = [], onProgress?: (p: unknown) => void): Promise<HostReply> {
    if (this.dead) return Promise.reject(new WasmnnError('ERR_WORKER_CRASHED', 'the inference worker stopped; create the session again'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.port.hold?.(true);
      this.pending.set(id, { resolve, reject, onProgress });
      this.port.post({ ...m, id } as HostRequest, transfer);
    });
  }

  stop(): void {
    this.stopping = true;
    if (current === this) current = undefined;
    this.port.terminate();
  }
}

let current: ProxyWorker | undefined;
let starting: Promise<ProxyWorker> | undefined;

/** The shared proxy worker, started on first use (and again after a crash). */
export async function proxyWorker(): Promise<ProxyWorker> {
  if (current && !current.dead) return current;
  starting ??= ProxyWorker.start().then((w) => { current = w; return w; }).finally(() => { starting = undefined; });
  return starting;
}

function toWire(t: Tensor): { wire: WireTensor; transfer?: ArrayBuffer } {
  if (t.type === 'string') return { wire: { type: t.type, dims: [...t.dims], data: [...(t.data as string[])] } };
  // Copy so the caller keeps its arrays; the copy's buffer then moves without a second copy.
  const src = t.data as ArrayBufferView & { slice(): ArrayBufferView };
  const data = src.slice();
  return { wire: { type: t.type, dims: [...t.dims], data }, transfer: data.buffer as ArrayBuffer };
}

/** The caller's handle on a session living in the proxy worker. */
export class RemoteSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly unknown[];
  readonly outputMetadata: readonly unknown[];
  readonly backend: string;
  readonly backendReason: string;
  /** Always true: this session runs in a worker. */
  readonly proxied = true;
  private w: ProxyWorker | undefined;

  private constructor(w: ProxyWorker, private readonly id: number, info: SessionInfo) {
    this.w = w;
    this.inputNames = info.inputNames;
    this.outputNames = info.outputNames;
    this.inputMetadata = info.inputMetadata;
    this.outputMetadata = info.outputMetadata;
    this.backend = info.backend;
    this.backendReason = `${info.backendReason}; in a worker (proxy)`;
  }

  static async create(model: string | URL | Uint8Array | ArrayBuffer, options: WireSessionOptions, onProgress?: (p: unknown) => void): Promise<RemoteSession> {
    const w = await proxyWorker();
    // Paths and URLs are opened by the worker; bytes are copied over (the caller keeps its buffer).
    const m = typeof model === 'string' ? model : model instanceof URL ? model.href : new Uint8Array(model instanceof ArrayBuffer ? model.slice(0) : model.slice());
    const r = await w.request({ kind: 'create', model: m, options: { ...options, wantProgress: !!onProgress } }, typeof m === 'string' ? [] : [m.buffer as ArrayBuffer], onProgress);
    if (!(r.ok && r.kind === 'created')) throw new WasmnnError('ERR_PROXY', 'unexpected reply from the inference worker');
    return RemoteSession.attach(w, r.info);
  }

  /** The caller's handle on a session the worker already made (a proxied pipeline's); counts as one user of the worker. */
  static attach(w: ProxyWorker, info: SessionInfo): RemoteSession {
    w.sessions++;
    return new RemoteSession(w, info.session, info);
  }

  /** The worker and the id of this session there, while not released (for proxied pipelines). */
  get handle(): { worker: ProxyWorker; id: number } | undefined {
    return this.w && { worker: this.w, id: this.id };
  }

  /** Runs the model in the worker; inputs are copied over, outputs come back without a copy. */
  async run(feeds: Record<string, Tensor | { type: string; data: unknown; dims: readonly number[] }>, fetches?: readonly string[] | Record<string, unknown>): Promise<Record<string, Tensor>> {
    if (!this.w) throw new SessionStateError('session was released');
    const wire: Record<string, WireTensor> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [k, v] of Object.entries(feeds)) {
      const t = v instanceof Tensor ? v : new Tensor(v.type as 'float32', v.data as Float32Array, v.dims);
      const { wire: w, transfer: b } = toWire(t);
      wire[k] = w;
      if (b) transfer.push(b);
    }
    const wanted = fetches === undefined ? undefined : Array.isArray(fetches) ? [...fetches as string[]] : Object.keys(fetches);
    const r = await this.w.request({ kind: 'run', session: this.id, feeds: wire, fetches: wanted }, transfer);
    if (!(r.ok && r.kind === 'ran')) throw new WasmnnError('ERR_PROXY', 'unexpected reply from the inference worker');
    return Object.fromEntries(Object.entries(r.outputs).map(([k, t]) => [k, new Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
  }

  /** Not available: a proxied session only runs asynchronously. */
  runSync(): never {
    throw new SessionStateError('runSync is not available for a proxied session (it runs in a worker); use run()');
  }

  /** Frees the session in the worker; the worker stops when its last session is released. */
  async release(): Promise<void> {
    const w = this.w;
    if (!w) return;
    this.w = undefined;
    if (!w.dead) await w.request({ kind: 'release', session: this.id }).catch(() => undefined);
    if (--w.sessions <= 0) w.stop();
  }
}
