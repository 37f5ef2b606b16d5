/// <reference lib="webworker" />
/**
 * The demo's inference worker: owns every session so the page's main thread only draws.
 * Sessions are keyed by the page ("digits", "user-model"); creating a key again replaces it.
 */
import { env, InferenceSession, Tensor } from '../../src/index.js';
import { pipeline } from '../../src/pipelines/index.js';
import type { Reply, Request, WireTensor } from './protocol.js';

const sessions = new Map<string, InferenceSession>();
type AnyPipeline = ((input: unknown) => Promise<unknown>) & { release(): Promise<void>; session: InferenceSession };
const pipelines = new Map<string, AnyPipeline>();
const post = (r: Reply, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(r, transfer);

async function handle(m: Request): Promise<void> {
  if (m.kind === 'create') {
    await sessions.get(m.key)?.release();
    sessions.delete(m.key);
    env.wasm.numThreads = m.threads;
    const t0 = performance.now();
    const eps = m.backend === 'auto' ? undefined : [m.backend];
    const s = await InferenceSession.create(typeof m.model === 'string' ? m.model : new Uint8Array(m.model), eps ? { executionProviders: eps } : {});
    sessions.set(m.key, s);
    post({
      id: m.id, ok: true, kind: 'created', inputNames: [...s.inputNames], outputNames: [...s.outputNames], backend: s.backend, reason: s.backendReason,
      ms: performance.now() - t0, inputs: s.inputMetadata.map((i) => ({ name: i.name, type: i.type, shape: i.shape ? [...i.shape] : undefined })),
    });
    return;
  }
  if (m.kind === 'pipeline') {
    await pipelines.get(m.key)?.release();
    pipelines.delete(m.key);
    env.wasm.numThreads = m.threads;
    const t0 = performance.now();
    const o = m.options;
    const common = {
      executionProviders: m.backend === 'auto' ? undefined : [m.backend],
      labels: o.labels ? new Uint8Array(o.labels) : undefined,
      preprocess: o.preprocess,
      sessionOptions: { onProgress: (p: { phase: string; loaded: number; total?: number }) => post({ id: -1, ok: true, kind: 'progress', key: m.key, ...p }) },
    };
    const model = typeof m.model === 'string' ? m.model : new Uint8Array(m.model);
    const p = (m.task === 'object-detection'
      ? await pipeline('object-detection', model, { ...common, decoder: o.decoder ?? 'yolov8' })
      : m.task === 'text-classification'
        ? await pipeline('text-classification', model, { ...common, tokenizer: o.tokenizer ? new Uint8Array(o.tokenizer) : undefined as never, topK: 5 })
        : await pipeline('image-classification', model, { ...common, topK: 5 })) as unknown as AnyPipeline;
    pipelines.set(m.key, p);
    const s = p.session;
    post({
      id: m.id, ok: true, kind: 'created', inputNames: [...s.inputNames], outputNames: [...s.outputNames], backend: s.backend, reason: s.backendReason,
      ms: performance.now() - t0, inputs: s.inputMetadata.map((i) => ({ name: i.name, type: i.type, shape: i.shape ? [...i.shape] : undefined })),
    });
    return;
  }
  if (m.kind === 'infer') {
    const p = pipelines.get(m.key);
    if (!p) throw new Error('load a model first');
    const t0 = performance.now();
    const result = await p('image' in m.input ? m.input.image : m.input.text);
    // Typed arrays (text logits) become plain arrays for the page.
    const plain = JSON.parse(JSON.stringify(result, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))) as unknown;
    post({ id: m.id, ok: true, kind: 'inferred', result: plain, ms: performance.now() - t0 });
    return;
  }
  const s = sessions.get(m.key);
  if (!s) throw new Error(`no model loaded for "${m.key}"`);
  if (m.kind === 'release') {
    await s.release();
    sessions.delete(m.key);
    post({ id: m.id, ok: true, kind: 'released' });
    return;
  }
  const feeds = Object.fromEntries(Object.entries(m.feeds).map(([k, t]) => [k, new Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]));
  const t0 = performance.now();
  const out = await s.run(feeds);
  const ms = performance.now() - t0;
  const outputs: Record<string, WireTensor> = {};
  const transfer: Transferable[] = [];
  for (const [k, t] of Object.entries(out)) {
    const data = t.data as ArrayBufferView;
    outputs[k] = { type: t.type, dims: [...t.dims], data };
    // Transfer only a buffer the output owns whole: a view into shared storage (weights) must stay.
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !transfer.includes(data.buffer)) transfer.push(data.buffer);
  }
  post({ id: m.id, ok: true, kind: 'ran', outputs, ms }, transfer);
}

self.onmessage = (e: MessageEvent<Request>) => {
  handle(e.data).catch((err: unknown) => post({ id: e.data.id, ok: false, error: err instanceof Error ? err.message : String(err) }));
};
