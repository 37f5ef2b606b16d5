/**
 * The worker side of proxied sessions and pipelines: creates and runs real sessions (and task
 * pipelines, pre/post-processing included) on messages from remote-session.ts and
 * pipelines/remote-pipeline.ts. One worker serves every proxied session of its creator.
 */
import { env } from '../../env.js';
import { WasmnnError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { InferenceSession } from '../session.js';
import type { HostReply, HostRequest, SessionInfo, WireTensor } from './protocol.js';
import { errorToWire, fromWire } from './wire.js';

type Post = (r: HostReply, transfer?: Transferable[]) => void;

/** A pipeline as the worker holds it: callable, with methods and plain-data properties. */
type HostedPipeline = ((...args: unknown[]) => Promise<unknown>) & { session: InferenceSession; release(): Promise<void> } & Record<string, unknown>;

/** A session in the worker, and the pipeline around it when it was made for one. */
interface Hosted {
  session: InferenceSession;
  pipeline?: HostedPipeline;
}

function infoOf(id: number, s: InferenceSession): SessionInfo {
  return {
    session: id, inputNames: [...s.inputNames], outputNames: [...s.outputNames], inputMetadata: [...s.inputMetadata],
    outputMetadata: [...s.outputMetadata], backend: s.backend, backendReason: s.backendReason,
  };
}

/** Splits a pipeline's own properties into plain data and method names (release and the session stay behind). */
function describePipeline(p: HostedPipeline): { data: Record<string, unknown>; methods: string[] } {
  const data: Record<string, unknown> = {};
  const methods: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'session' || k === 'release') continue;
    if (typeof v === 'function') methods.push(k);
    else data[k] = v;
  }
  return { data, methods };
}

/** Handles requests from one port until the worker ends. */
export function serve(listen: (h: (m: HostRequest) => void) => void, post: Post): void {
  const hosted = new Map<number, Hosted>();
  let next = 1;
  const progressTo = (id: number, want: boolean | undefined) => (want ? (p: unknown) => post({ id, ok: true, kind: 'progress', progress: p }) : undefined);
  const handle = async (m: HostRequest): Promise<void> => {
    if (m.kind === 'create') {
      const { wantProgress, numThreads, ...o } = m.options;
      if (numThreads !== undefined) env.wasm.numThreads = numThreads;
      const s = await InferenceSession.create(m.model, {
        ...o, executionProviders: o.executionProviders as never, proxy: false, onProgress: progressTo(m.id, wantProgress),
      });
      const id = next++;
      hosted.set(id, { session: s });
      post({ id: m.id, ok: true, kind: 'created', info: infoOf(id, s) });
      return;
    }
    if (m.kind === 'pipeline') {
      if (m.numThreads !== undefined) env.wasm.numThreads = m.numThreads;
      // Loaded on first use: a worker serving only sessions never loads the pipelines.
      const { pipeline } = await import('../../pipelines/pipeline.js');
      const o = fromWire(m.options) as { sessionOptions?: object };
      const p = await (pipeline as unknown as (t: string, m: string | Uint8Array, o: object) => Promise<HostedPipeline>)(m.task, m.model, {
        ...o, proxy: false, sessionOptions: { ...o.sessionOptions, proxy: false, onProgress: progressTo(m.id, m.wantProgress) },
      });
      const id = next++;
      hosted.set(id, { session: p.session, pipeline: p });
      post({ id: m.id, ok: true, kind: 'pipeline-created', info: { session: infoOf(id, p.session), ...describePipeline(p) } });
      return;
    }
    const h = hosted.get(m.session);
    if (!h) throw new WasmnnError('ERR_SESSION_STATE', 'session was released');
    if (m.kind === 'release') {
      hosted.delete(m.session);
      await (h.pipeline ?? h.session).release();
      post({ id: m.id, ok: true, kind: 'released' });
      return;
    }
    if (m.kind === 'call') {
      const p = h.pipeline;
      if (!p) throw new WasmnnError('ERR_PROXY', 'this proxied session is not a pipeline');
      const args = fromWire(m.args) as unknown[];
      if (m.method !== undefined && !describePipeline(p).methods.includes(m.method)) throw new WasmnnError('ERR_PROXY', `the pipeline has no method "${m.method}"`);
      const value = await (m.method === undefined ? p(...args) : (p[m.method] as (...a: unknown[]) => unknown)(...args));
      post({ id: m.id, ok: true, kind: 'returned', value });
      return;
    }
    const feeds = Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, new Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
    const out = await h.session.run(feeds, m.fetches);
    const outputs: Record<string, WireTensor> = {};
    const transfer: Transferable[] = [];
    for (const [k, t] of Object.entries(out)) {
      const data = t.data as ArrayBufferView | string[];
      outputs[k] = { type: t.type, dims: [...t.dims], data };
      // Only a buffer the output owns whole can move; views into shared storage are copied.
      if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer && data.byteOffset === 0
        && data.byteLength === data.buffer.byteLength && !transfer.includes(data.buffer)) transfer.push(data.buffer);
    }
    post({ id: m.id, ok: true, kind: 'ran', outputs }, transfer);
  };
  listen((m) => {
    handle(m).catch((e: unknown) => post({ id: m.id, ok: false, error: errorToWire(e) }));
  });
}
