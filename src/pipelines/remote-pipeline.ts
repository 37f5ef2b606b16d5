/**
 * A task pipeline made and run in the proxy worker: reading files, decoding and preprocessing
 * images, the model and post-processing all happen there, the caller's thread only posts
 * messages. The caller gets a callable with the same signature, data properties and methods
 * (methods answer with promises); `session` is a proxied handle on the pipeline's session.
 */
import { env } from '../env.js';
import { SessionStateError, WasmnnError } from '../errors.js';
import type { ModelSource } from '../load/source.js';
import { proxyWorker, RemoteSession } from '../runtime/proxy/remote-session.js';
import type { HostReply } from '../runtime/proxy/protocol.js';
import { toWire } from '../runtime/proxy/wire.js';
import type { PipelineOptions } from './common.js';
import { loadImage, type ImageInput } from './image/index.js';
import { detectionDecoder, type ObjectDetectionOptions, type ObjectDetectionPipeline } from './object-detection/pipeline.js';

/** Tasks whose first argument is an image (or, for classification, an array of images). */
const IMAGE_TASKS = new Set(['image-classification', 'object-detection']);

/**
 * Methods that stay synchronous on the caller's side: pure post-processing rebuilt here from
 * the caller's options and the data the worker reported.
 */
const LOCAL_METHODS: Record<string, (options: PipelineOptions, data: Record<string, unknown>) => Record<string, unknown>> = {
  'object-detection': (o, d) => ({
    decode: detectionDecoder(o as ObjectDetectionOptions, d.inputSize as ObjectDetectionPipeline['inputSize'], d.labels as string[] | undefined),
  }),
};

/**
 * Browser image sources (`<img>`, canvas, ImageBitmap, VideoFrame, ImageData) cannot cross to
 * a worker, or can only be drawn here: they become RGBA pixels first. Paths, URLs, bytes and
 * plain `{ data, width, height }` objects cross as they are.
 */
async function prepareImage(x: unknown): Promise<unknown> {
  if (Array.isArray(x)) return Promise.all(x.map(prepareImage));
  if (x === null || typeof x !== 'object' || x instanceof URL || x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return x;
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto === Object.prototype || proto === null) return x;
  const { data, width, height } = await loadImage(x as ImageInput);
  return { data, width, height };
}

function modelForWire(model: ModelSource): string | Uint8Array {
  if (typeof model === 'string') return model;
  if (model instanceof URL) return model.href;
  // Copied so the caller keeps its buffer while the copy's moves.
  return new Uint8Array(model instanceof ArrayBuffer ? model.slice(0) : model.slice());
}

function expect<K extends string>(r: HostReply, kind: K): Extract<HostReply, { kind: K }> {
  if (!(r.ok && r.kind === kind)) throw new WasmnnError('ERR_PROXY', 'unexpected reply from the inference worker');
  return r as Extract<HostReply, { kind: K }>;
}

/** Creates `task`'s pipeline in the shared proxy worker; see {@link PipelineOptions.proxy}. */
export async function createRemotePipeline(task: string, model: ModelSource, options: PipelineOptions): Promise<unknown> {
  const { sessionOptions, proxy: _proxy, ...rest } = options;
  // Progress is forwarded by message; everything else must be plain data (checked before a worker starts).
  const { onProgress, proxy: _sessionProxy, ...session } = sessionOptions ?? {};
  const wire = toWire({ ...rest, sessionOptions: session }, 'options');
  const m = modelForWire(model);
  const w = await proxyWorker();
  const created = expect(await w.request(
    { kind: 'pipeline', task, model: m, options: wire, numThreads: env.wasm.numThreads, wantProgress: !!onProgress },
    typeof m === 'string' ? [] : [m.buffer as ArrayBuffer], onProgress as ((p: unknown) => void) | undefined,
  ), 'pipeline-created').info;
  const remote = RemoteSession.attach(w, created.session);

  const call = (method?: string) => async (...args: unknown[]): Promise<unknown> => {
    const h = remote.handle;
    if (!h) throw new SessionStateError(`the ${task} pipeline was released`);
    if (method === undefined && IMAGE_TASKS.has(task)) args = [await prepareImage(args[0]), ...args.slice(1)];
    const wired = args.map((a, i) => toWire(a, i === 0 && method === undefined ? 'input' : `argument ${i + 1}`));
    return expect(await h.worker.request({ kind: 'call', session: h.id, method, args: wired }), 'returned').value;
  };
  const methods = Object.fromEntries(created.methods.map((name) => [name, call(name)]));
  const local = LOCAL_METHODS[task]?.(options, created.data) ?? {};
  return Object.assign(call(), created.data, methods, local, { task, session: remote, release: () => remote.release() });
}
