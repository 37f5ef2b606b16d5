import type { Backend } from '../backends/backend.js';
import { isDataType } from '../dtype.js';
import { AbortError, InputError, SessionStateError, WasmnnError } from '../errors.js';
import { buildGraph, type IrGraph } from '../graph/ir.js';
import { inferGraphTypes, mergeTypes } from '../graph/infer.js';
import { optimizeGraph } from '../graph/passes/optimize.js';
import { functionKey } from '../graph/functions.js';
import { findExternalLocations, prepareExternalData, readModel, sliceExternal, type ExternalDataFile, type ModelSource } from '../load/source.js';
import type { FetchOptions } from '../load/fetch-model.js';
import { reporter } from '../load/progress.js';
import { decodeModel } from '../onnx/decode.js';
import type { Dim, ModelProto, TypeInfo, ValueInfo } from '../onnx/model.js';
import { defaultRegistry } from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { Optional, Sequence, type Value } from '../values.js';
import { resolveBackend, type ExecutionProviderConfig } from './backends.js';
import { env } from '../env.js';
import { proxyByDefault } from './proxy/default.js';
import { overrideGraph, prepareKernels, withDefaults } from './weights.js';

/**
 * Options for {@link InferenceSession.create}. Loading by URL also takes `onProgress`,
 * `signal`, `integrity`, `cache` and `revalidate` (see {@link FetchOptions}); `onProgress`
 * and `signal` apply to every source.
 */
export interface SessionOptions extends FetchOptions {
  /** Backends to try, in order. Default: the best available. */
  executionProviders?: readonly ExecutionProviderConfig[];
  /**
   * Threads for this session's wasm kernels, overriding `env.wasm.numThreads` (onnxruntime's
   * option name). 0 = automatic: min(4, ceil(cores / 2)) where shared memory works, else 1.
   */
  intraOpNumThreads?: number;
  /**
   * Run the session in a worker (worker_threads in Node, a Web Worker in browsers) so the
   * calling thread stays free; all proxied sessions share one worker. Default: `env.wasm.proxy`
   * (true) in a browser page's main thread, false elsewhere. A proxied session has the same
   * async API; `runSync` is not available.
   */
  proxy?: boolean;
  /** External data files for models loaded from bytes (or to override files beside the model). */
  externalData?: readonly ExternalDataFile[];
  /** Accepted for onnxruntime-web compatibility; wasmnn always optimises what it safely can. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** Metadata of one model input or output. */
export interface ValueMetadata {
  name: string;
  isTensor: boolean;
  /** Element type for tensors ('float32', …); undefined when the model does not say. */
  type?: string;
  /** Dims: numbers where fixed, strings for symbolic dims, undefined where unknown. */
  shape?: Dim[];
}

/** A value accepted in `feeds`: our Tensor or any object shaped like onnxruntime's Tensor. */
export type FeedValue = Tensor | Sequence | Optional | { type: string; data: unknown; dims: readonly number[] };

/**
 * A loaded model ready to run. API-compatible with onnxruntime-web's `InferenceSession`.
 *
 * @example
 * const session = await InferenceSession.create('model.onnx');
 * const out = await session.run({ input: new Tensor('float32', data, [1, 3, 224, 224]) });
 */
export class InferenceSession {
  /** Names of the inputs a caller feeds (initializers excluded). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  /** The backend running this session, and why it was chosen. */
  readonly backend: string;
  readonly backendReason: string;
  /** The graph as loaded; used when a feed overrides an initializer the folded graph depends on. */
  private graph: IrGraph | undefined;
  /** The graph with constant subexpressions folded: what normal runs execute. */
  private folded: IrGraph | undefined;
  /** The loaded graph with overridable initializers as inputs; built on the first run that overrides one. */
  private overridable: ReturnType<typeof overrideGraph> | undefined;
  /** The backend and, for wasm, its engine instance and memory; dropped by release(). */
  private impl: Backend | undefined;
  private readonly inputInfo: Map<string, ValueInfo>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(graph: IrGraph, backend: Backend, reason: string) {
    this.graph = graph;
    // Runs execute the optimized graph (constants folded, no-ops removed, patterns fused: see optimize.ts).
    this.folded = optimizeGraph(backend.lowerGraph?.(graph) ?? graph);
    this.impl = backend;
    // Kernels are prepared (weights packed) now rather than on the first run; see weights.ts.
    prepareKernels(this.folded, backend);
    this.backend = backend.name;
    this.backendReason = reason;
    const inits = graph.initializers;
    const feedable = graph.inputs.filter((i) => !inits.has(i.name));
    this.inputNames = feedable.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
    this.inputMetadata = feedable.map(metadataOf);
    // Declared output types win; inference fills in what a model leaves out.
    const inferred = inferGraphTypes(graph);
    this.outputMetadata = graph.outputs.map((o) => metadataOf({ name: o.name, type: mergeTypes(inferred.get(o.name), o.type) }));
    // Initializers that are also graph inputs (old IR) may be overridden by a feed.
    this.inputInfo = new Map(graph.inputs.map((i) => [i.name, i]));
  }

  /** Loads a model from a path (Node), URL, or bytes, and prepares it to run. */
  static async create(model: ModelSource, options: SessionOptions = {}): Promise<InferenceSession> {
    if (options.proxy ?? proxyByDefault()) return createProxied(model, options);
    const { bytes, payloads, base, isPath } = await readModel(model, options);
    const locations = findExternalLocations(bytes);
    const files = locations.length || options.externalData?.length ? await prepareExternalData(locations, base, isPath, options.externalData, options) : new Map();
    // Compile covers decoding, graph building and backend (engine) preparation.
    const url = typeof model === 'string' ? model : model instanceof URL ? model.href : '';
    const progress = reporter(options.onProgress);
    const checkAbort = () => { if (options.signal?.aborted) throw new AbortError(url || 'model', { cause: options.signal.reason }); };
    checkAbort();
    progress({ phase: 'compile', loaded: 0, total: bytes.length, url });
    const proto = decodeModel(bytes, { external: (ref, name) => sliceExternal(files, ref, name), payloads });
    const session = await InferenceSession.fromProto(proto, options);
    checkAbort();
    progress({ phase: 'compile', loaded: bytes.length, total: bytes.length, url });
    progress({ phase: 'ready', loaded: bytes.length, total: bytes.length, url });
    return session;
  }

  /** Builds a session from an already decoded model. */
  static async fromProto(proto: ModelProto, options: SessionOptions = {}): Promise<InferenceSession> {
    const { backend, reason } = await resolveBackend(options.executionProviders, options.intraOpNumThreads ?? env.wasm.numThreads);
    const opsets = new Map<string, number>();
    for (const o of proto.opsetImports) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain, o.version);
    // IR version 3 and older imply ai.onnx opset 1 when none is given.
    if (!opsets.has('')) opsets.set('', 1);
    const functions = new Map(proto.functions.map((f) => [functionKey(f.domain, f.name, f.overload ?? ''), f]));
    const graph = buildGraph(proto.graph, { registry: defaultRegistry, opsets, functions });
    return new InferenceSession(graph, backend, reason);
  }

  /**
   * Runs the model. `fetches` optionally names the outputs wanted (array or record).
   * Sequence- and optional-typed outputs are returned as {@link Sequence} / {@link Optional}.
   */
  async run(feeds: Record<string, FeedValue>, fetches?: readonly string[] | Record<string, unknown>, _options?: unknown): Promise<Record<string, Tensor>> {
    const task = this.queue.then(async () => {
      // Worker threads that started during an earlier run become usable once their start is awaited.
      const pending = this.impl?.settle?.();
      if (pending) await pending;
      return this.runSync(feeds, fetches);
    });
    this.queue = task.catch(() => undefined);
    return task as Promise<Record<string, Tensor>>;
  }

  /** Synchronous run returning every kind of value; for tools and tests. */
  runSync(feeds: Record<string, FeedValue>, fetches?: readonly string[] | Record<string, unknown>): Record<string, Value> {
    const g = this.graph;
    if (!g) throw new SessionStateError('session was released');
    if (feeds === null || typeof feeds !== 'object') throw new InputError('ERR_MISSING_INPUT', '', 'feeds must be an object mapping input names to tensors');
    const wanted = fetches === undefined ? this.outputNames : Array.isArray(fetches) ? fetches as string[] : Object.keys(fetches);
    for (const w of wanted) if (!this.outputNames.includes(w)) throw new InputError('ERR_UNKNOWN_OUTPUT', w, `unknown output "${w}"; the model's outputs are: ${this.outputNames.join(', ')}`);
    const values = new Map<string, Value>();
    for (const [name, v] of Object.entries(feeds)) {
      const info = this.inputInfo.get(name);
      if (!info) throw new InputError('ERR_UNKNOWN_INPUT', name, `unknown input "${name}"; the model's inputs are: ${this.inputNames.join(', ')}`);
      values.set(name, checkFeed(name, toValue(name, v), info.type));
    }
    for (const name of this.inputNames) {
      if (!values.has(name) && !isOptionalInput(this.inputInfo.get(name)!)) throw new InputError('ERR_MISSING_INPUT', name, `input "${name}" is missing from feeds`);
    }
    // Feeding an initializer's name overrides its default value: constants folded from it no longer hold.
    const overrides = [...values.keys()].some((n) => g.initializers.has(n));
    const o = overrides ? (this.overridable ??= overrideGraph(g)) : undefined;
    const impl = this.impl!;
    const graph = o ? o.graph : this.folded!;
    impl.beginRun?.(`${o ? 'override ' : ''}${feedSignature(values)}`, { graph, names: wanted });
    let completed = false;
    try {
      const out = executeGraphPublic(graph, o ? withDefaults(values, o.defaults) : values, impl);
      if (opProfile) printProfile();
      const result: Record<string, Value> = {};
      for (const w of wanted) {
        const v = out.get(w)!;
        // Outputs leave engine memory now, once: they must outlive the engine's next run and release().
        if (v instanceof Tensor) void v.data;
        result[w] = v;
      }
      completed = true;
      return result;
    } finally {
      impl.endRun?.(completed);
    }
  }

  /** Frees the model, its weights and its engine instance (wasm memory). The session cannot run afterwards. */
  async release(): Promise<void> {
    this.graph = undefined;
    this.folded = undefined;
    this.overridable = undefined;
    this.impl?.dispose?.();
    this.impl = undefined;
  }
}

import { executeGraph as executeGraphPublic, opProfile } from './executor.js';

/** Prints and clears the per-op-type times of the last run (WASMNN_PROFILE=1), slowest first. */
function printProfile(): void {
  const rows = [...opProfile!].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0);
  const lines = rows.map(([op, e]) => `${op.padEnd(24)} ${e.ms.toFixed(2).padStart(9)} ms ${String(e.calls).padStart(5)} calls`);
  process.stderr.write(`[wasmnn profile] ${total.toFixed(1)} ms\n${lines.join('\n')}\n`);
  opProfile!.clear();
}

/** The session in the shared proxy worker, behind the same public API. */
async function createProxied(model: ModelSource, o: SessionOptions): Promise<InferenceSession> {
  if (o.cache !== undefined && typeof o.cache === 'object' && !('dir' in o.cache)) {
    throw new WasmnnError('ERR_PROXY_OPTION', 'options.cache: a custom cache object cannot cross to the proxy worker; use proxy: false, or a built-in cache');
  }
  const { RemoteSession } = await import('./proxy/remote-session.js');
  try {
    const s = await RemoteSession.create(model as string | URL | Uint8Array | ArrayBuffer, {
      executionProviders: o.executionProviders ? [...o.executionProviders] : undefined,
      intraOpNumThreads: o.intraOpNumThreads, numThreads: env.wasm.numThreads, integrity: o.integrity,
      cache: o.cache as never, externalData: o.externalData?.map((f) => ({ ...f })) as never,
    }, o.onProgress as ((p: unknown) => void) | undefined);
    return s as unknown as InferenceSession;
  } catch (e) {
    // A worker that cannot even start (its script not served, workers blocked) must not cost the
    // user the model: run it here instead, and say so once. Model errors are rethrown as they are.
    if ((e as { code?: string }).code !== 'ERR_WORKER_CRASHED' || o.proxy === true) throw e;
    console.warn(`wasmnn: the inference worker did not start, running on this thread: ${(e as Error).message}`);
    return InferenceSession.create(model, { ...o, proxy: false });
  }
}

function isOptionalInput(info: ValueInfo): boolean {
  return info.type?.kind === 'optional';
}

function metadataOf(v: ValueInfo): ValueMetadata {
  const t = v.type;
  if (t?.kind === 'tensor') return { name: v.name, isTensor: true, type: t.elemType, shape: t.shape };
  return { name: v.name, isTensor: false, type: t ? typeName(t) : undefined };
}

function typeName(t: TypeInfo | undefined): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor': case 'sparse_tensor': return `${t.kind}(${t.elemType ?? '?'})`;
    case 'sequence': case 'optional': return `${t.kind}(${typeName(t.elem)})`;
    case 'map': return `map(${t.keyType ?? '?'},${typeName(t.value)})`;
  }
}

/** Names, types and dims of the feeds: runs alike in these allocate alike. */
function feedSignature(values: ReadonlyMap<string, Value>): string {
  return [...values].map(([n, v]) => `${n}:${v instanceof Tensor ? `${v.type}[${v.dims.join(',')}]` : v.kind}`).join(' ');
}

function toValue(name: string, v: FeedValue): Value {
  if (v instanceof Tensor || v instanceof Sequence || v instanceof Optional) return v;
  if (v && typeof v === 'object' && 'dims' in v && 'type' in v && 'data' in v) {
    if (!isDataType(v.type)) throw new InputError('ERR_INPUT_TYPE', name, `input "${name}" has unknown tensor type "${v.type}"`);
    try {
      return new Tensor(v.type, v.data as never, v.dims);
    } catch (e) {
      throw new InputError('ERR_INPUT_SHAPE', name, `input "${name}": ${(e as Error).message}`);
    }
  }
  throw new InputError('ERR_INPUT_TYPE', name, `input "${name}" must be a Tensor`);
}

/** Checks a feed against the declared type: element type, rank and fixed dims. */
function checkFeed(name: string, v: Value, declared: TypeInfo | undefined): Value {
  if (!declared) return v;
  if (declared.kind === 'tensor') {
    if (!(v instanceof Tensor)) throw new InputError('ERR_INPUT_TYPE', name, `input "${name}": expected a tensor, got a ${v.kind}`);
    if (declared.elemType && v.type !== declared.elemType) throw new InputError('ERR_INPUT_TYPE', name, `input "${name}": expected element type ${declared.elemType}, got ${v.type}`);
    const shape = declared.shape;
    if (shape) {
      const want = `[${shape.map((d) => d ?? '?').join(', ')}]`;
      if (shape.length !== v.dims.length) throw new InputError('ERR_INPUT_SHAPE', name, `input "${name}": expected shape ${want} (rank ${shape.length}), got [${v.dims.join(', ')}]`);
      shape.forEach((d, i) => {
        if (typeof d === 'number' && d >= 0 && d !== v.dims[i]) throw new InputError('ERR_INPUT_SHAPE', name, `input "${name}": expected shape ${want}, got [${v.dims.join(', ')}] (dimension ${i})`);
      });
    }
  } else if (declared.kind === 'sequence' && !(v instanceof Sequence)) {
    throw new InputError('ERR_INPUT_TYPE', name, `input "${name}": expected a sequence, got ${v instanceof Tensor ? 'a tensor' : `an ${v.kind}`}`);
  } else if (declared.kind === 'optional' && !(v instanceof Optional)) {
    // A bare tensor or sequence fed for an optional input means "present".
    return new Optional(v as Tensor | Sequence);
  }
  return v;
}

export { WasmnnError };
