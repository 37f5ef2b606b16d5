/**
 * `voice-activity`: streaming speech probability for silero-style VAD models. Each call takes
 * the next PCM samples; the pipeline cuts them into the model's windows, prepends the tail of the
 * previous window as context, and carries the model's recurrent state from call to call.
 */
import { PipelineError } from '../errors.js';
import type { ModelSource } from '../load/source.js';
import { Tensor } from '../tensor.js';
import { floatData, loadSession, makePipeline, proxiedPipeline, wantsProxy, type Pipeline, type PipelineOptions } from './common.js';

/** Options of the `voice-activity` pipeline. */
export interface VoiceActivityOptions extends PipelineOptions {
  /** Sample rate of the audio that will be fed: 16000 (default) or 8000 for silero models. */
  sampleRate?: number;
  /** Samples per model step; default 512 at 16 kHz, 256 at 8 kHz (silero v5). */
  windowSize?: number;
  /** Samples of the previous window prepended as context; default 64 at 16 kHz, 32 at 8 kHz. */
  contextSize?: number;
}

/** Per-call options: the sample rate of this chunk, checked against the pipeline's. */
export interface VoiceActivityCallOptions {
  sampleRate?: number;
}

/**
 * Call with the next mono Float32Array PCM chunk (any length; −1..1): returns the speech
 * probability of each complete window, samples left over wait for the next call.
 * `reset()` starts a new stream (in a proxied pipeline it returns a promise; calls made after it
 * still see the reset, as the worker handles messages in order).
 */
export type VoiceActivityPipeline = Pipeline<Float32Array, number[], VoiceActivityCallOptions> & {
  reset(): void;
  readonly sampleRate: number;
  readonly windowSize: number;
};

const SUPPORTED_RATES = [8000, 16000];

/** Creates a voice activity pipeline. */
export async function voiceActivity(model: ModelSource, options: VoiceActivityOptions = {}): Promise<VoiceActivityPipeline> {
  if (wantsProxy(options)) return proxiedPipeline('voice-activity', model, options);
  const rate = options.sampleRate ?? 16000;
  if (!SUPPORTED_RATES.includes(rate)) {
    throw new PipelineError('ERR_SAMPLE_RATE', `voice-activity supports sample rates ${SUPPORTED_RATES.join(' and ')} Hz; got ${rate}`);
  }
  const windowSize = options.windowSize ?? (rate === 16000 ? 512 : 256);
  const contextSize = options.contextSize ?? (rate === 16000 ? 64 : 32);
  const session = await loadSession(model, options);
  const meta = session.inputMetadata;
  const srIn = meta.find((m) => m.type === 'int64');
  const stateIn = meta.find((m) => m.type === 'float32' && /state/i.test(m.name));
  const audioIn = meta.find((m) => m.type === 'float32' && m !== stateIn);
  const stateOut = session.outputNames.find((n) => /state/i.test(n));
  const probOut = session.outputNames.find((n) => n !== stateOut);
  if (!audioIn || !stateIn || !stateOut || !probOut) {
    throw new PipelineError('ERR_PIPELINE_MODEL', `voice-activity expects a silero-style model (audio, sr and state inputs; output and stateN outputs); this one has inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}`);
  }
  const stateDims = (stateIn.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  const stateSize = stateDims.reduce((a, b) => a * b, 1);

  let state = new Float32Array(stateSize);
  let context = new Float32Array(contextSize);
  let pending = new Float32Array(0);

  const step = async (window: Float32Array): Promise<number> => {
    const x = new Float32Array(contextSize + windowSize);
    x.set(context);
    x.set(window, contextSize);
    const feeds: Record<string, Tensor> = {
      [audioIn.name]: new Tensor('float32', x, [1, x.length]),
      [stateIn.name]: new Tensor('float32', state, stateDims),
    };
    if (srIn) feeds[srIn.name] = new Tensor('int64', BigInt64Array.of(BigInt(rate)), []);
    const out = await session.run(feeds);
    state = Float32Array.from(floatData(out[stateOut]!, `output "${stateOut}"`));
    context = x.slice(x.length - contextSize);
    return floatData(out[probOut]!, `output "${probOut}"`)[0]!;
  };

  const run = async (samples: Float32Array, call?: VoiceActivityCallOptions): Promise<number[]> => {
    if (!(samples instanceof Float32Array)) {
      throw new PipelineError('ERR_PIPELINE_INPUT', `voice-activity takes mono PCM as a Float32Array; got ${samples === null ? 'null' : (samples as object)?.constructor?.name ?? typeof samples}`);
    }
    if (call?.sampleRate !== undefined && call.sampleRate !== rate) {
      throw new PipelineError('ERR_SAMPLE_RATE', `audio chunk has sample rate ${call.sampleRate} Hz but this pipeline was created for ${rate} Hz; resample it or create a pipeline with sampleRate ${call.sampleRate}`);
    }
    const all = new Float32Array(pending.length + samples.length);
    all.set(pending);
    all.set(samples, pending.length);
    const probs: number[] = [];
    let at = 0;
    for (; at + windowSize <= all.length; at += windowSize) probs.push(await step(all.subarray(at, at + windowSize)));
    pending = all.slice(at);
    return probs;
  };

  const reset = () => {
    state = new Float32Array(stateSize);
    context = new Float32Array(contextSize);
    pending = new Float32Array(0);
  };
  return makePipeline('voice-activity', session, run, { reset, sampleRate: rate, windowSize }) as VoiceActivityPipeline;
}
