/** Pieces every task pipeline shares: options, session loading, output conversion, the callable shape. */
import { PipelineError } from '../errors.js';
import type { ModelSource } from '../load/source.js';
import { proxyByDefault } from '../runtime/proxy/default.js';
import { InferenceSession, type SessionOptions } from '../runtime/session.js';
import type { Tensor } from '../tensor.js';
import { halfArrayToFloat32 } from '../util/half.js';

/** Options every pipeline accepts. */
export interface PipelineOptions {
  /** Passed to {@link InferenceSession.create}: backends to try, in order (default: the best available). */
  executionProviders?: SessionOptions['executionProviders'];
  /** Any other session options (external data …). */
  sessionOptions?: Omit<SessionOptions, 'executionProviders'>;
  /**
   * Run the whole pipeline (reading inputs, preprocessing, the model, post-processing) in the
   * proxy worker, so the calling thread stays free. Default: `sessionOptions.proxy`, else the
   * sessions' rule (`env.wasm.proxy` in a browser page's main thread, false elsewhere).
   * Options must then be plain data (files as paths, URLs or bytes); browser image sources are
   * drawn to pixels on the calling thread before they cross.
   */
  proxy?: boolean;
}

/**
 * A ready pipeline: call it with an input (and per-call options) to get answers;
 * `release()` frees the model. `session` is the underlying session.
 */
export type Pipeline<In, Out, CallOpts = undefined> = ((input: In, options?: CallOpts) => Promise<Out>) & {
  readonly task: string;
  readonly session: InferenceSession;
  release(): Promise<void>;
};

/** True when a pipeline made with these options runs in the proxy worker. */
export function wantsProxy(options: PipelineOptions | undefined): boolean {
  return options?.proxy ?? options?.sessionOptions?.proxy ?? proxyByDefault();
}

/** The same pipeline made in the proxy worker (see remote-pipeline.ts). */
export async function proxiedPipeline<P>(task: string, model: ModelSource, options: PipelineOptions): Promise<P> {
  const { createRemotePipeline } = await import('./remote-pipeline.js');
  return createRemotePipeline(task, model, options) as Promise<P>;
}

/** Loads the model of a pipeline with the caller's session options. */
export async function loadSession(model: ModelSource, options: PipelineOptions): Promise<InferenceSession> {
  return InferenceSession.create(model, { ...options.sessionOptions, executionProviders: options.executionProviders });
}

/** Wraps a run function into the callable pipeline object. */
export function makePipeline<In, Out, CallOpts>(task: string, session: InferenceSession, run: (input: In, options?: CallOpts) => Promise<Out>, extra: object = {}): Pipeline<In, Out, CallOpts> {
  const fn = (input: In, options?: CallOpts) => run(input, options);
  return Object.assign(fn, extra, { task, session, release: () => session.release() }) as Pipeline<In, Out, CallOpts>;
}

/** A float tensor's values as float32 (float16 and float64 are converted). */
export function floatData(t: Tensor, what: string): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return halfArrayToFloat32(t.data as Uint16Array);
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new PipelineError('ERR_PIPELINE_MODEL', `${what} has element type ${t.type}; expected a float tensor`);
}

/** Picks a model output by name (default: the first), naming the choices when absent. */
export function pickOutput(session: InferenceSession, name: string | undefined, role: string): string {
  if (name === undefined) return session.outputNames[0]!;
  if (!session.outputNames.includes(name)) {
    throw new PipelineError('ERR_PIPELINE_OPTION', `${role} output "${name}" is not a model output; the model's outputs are: ${session.outputNames.join(', ')}`);
  }
  return name;
}
