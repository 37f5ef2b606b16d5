/**
 * The worker side of proxied sessions: creates and runs real sessions on messages from
 * remote-session.ts. One worker serves every proxied session of its creator.
 */
import { env } from '../../env.js';
import { WasmnnError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { InferenceSession } from '../session.js';
import type { HostReply, HostRequest, WireTensor } from './protocol.js';

type Post = (r: HostReply, transfer?: Transferable[]) => void;

/** Handles requests from one port until the worker ends. */
export function serve(listen: (h: (m: HostRequest) => void) => void, post: Post): void {
  const sessions = new Map<number, InferenceSession>();
  let next = 1;
  const handle = async (m: HostRequest): Promise<void> => {
    if (m.kind === 'create') {
      const { wantProgress, numThreads, ...o } = m.options;
      if (numThreads !== undefined) env.wasm.numThreads = numThreads;
      const s = await InferenceSession.create(m.model, {
        ...o, executionProviders: o.executionProviders as never, proxy: false,
        onProgress: wantProgress ? (p) => post({ id: m.id, ok: true, kind: 'progress', progress: p }) : undefined,
      });
      const id = next++;
      sessions.set(id, s);
      post({ id: m.id, ok: true, kind: 'created', info: {
        session: id, inputNames: [...s.inputNames], outputNames: [...s.outputNames], inputMetadata: [...s.inputMetadata],
        outputMetadata: [...s.outputMetadata], backend: s.backend, backendReason: s.backendReason,
      } });
      return;
    }
    const s = sessions.get(m.session);
    if (!s) throw new WasmnnError('ERR_SESSION_STATE', 'session was released');
    if (m.kind === 'release') {
      sessions.delete(m.session);
      await s.release();
      post({ id: m.id, ok: true, kind: 'released' });
      return;
    }
    const feeds = Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, new Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
    const out = await s.run(feeds, m.fetches);
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
    handle(m).catch((e: unknown) => {
      const err = e as { name?: string; code?: string; message?: string };
      post({ id: m.id, ok: false, error: { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e) } });
    });
  });
}
