/** `feature-extraction`: sentence embeddings by mean pooling token states over the attention mask. */
import { PipelineError } from '../../errors.js';
import type { ModelSource } from '../../load/source.js';
import { floatData, loadSession, makePipeline, pickOutput, proxiedPipeline, wantsProxy, type Pipeline, type PipelineOptions } from '../common.js';
import { loadTokenizer, textFeeds, type TokenizerSource } from './text-model.js';

/** Options of the `feature-extraction` pipeline. */
export interface FeatureExtractionOptions extends PipelineOptions {
  tokenizer: TokenizerSource;
  /** Scale each embedding to unit length (for cosine similarity by dot product); default true. */
  normalize?: boolean;
  maxLength?: number;
  /** Output holding per-token states [batch, tokens, dim]; default the first. */
  output?: string;
}

/** Embeds one text (a Float32Array) or each text of an array. */
export type FeatureExtractionPipeline = Pipeline<string | readonly string[], Float32Array | Float32Array[], undefined>;

/** Mean of the token states whose mask is 1; `states` is [batch, tokens, dim]. */
export function meanPool(states: Float32Array, mask: readonly number[][], tokens: number, dim: number): Float32Array[] {
  return mask.map((m, b) => {
    const out = new Float32Array(dim);
    let n = 0;
    for (let t = 0; t < tokens; t++) {
      if (!m[t]) continue;
      n++;
      for (let d = 0; d < dim; d++) out[d]! += states[(b * tokens + t) * dim + d]!;
    }
    for (let d = 0; d < dim; d++) out[d]! /= Math.max(n, 1);
    return out;
  });
}

/** Scales `v` to unit L2 length in place (zero vectors stay zero). */
export function l2Normalize(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** Creates a feature extraction pipeline. */
export async function featureExtraction(model: ModelSource, options: FeatureExtractionOptions): Promise<FeatureExtractionPipeline> {
  if (wantsProxy(options)) return proxiedPipeline('feature-extraction', model, options);
  const tokenizer = await loadTokenizer(options?.tokenizer, 'feature-extraction');
  const session = await loadSession(model, options);
  const out = pickOutput(session, options.output, 'token states');
  return makePipeline('feature-extraction', session, async (input) => {
    const texts = typeof input === 'string' ? [input] : [...input];
    const { feeds, encodings, seq } = textFeeds(session, tokenizer, texts, options.maxLength);
    const t = (await session.run(feeds, [out]))[out]!;
    if (t.dims.length !== 3 || t.dims[0] !== texts.length || t.dims[1] !== seq) {
      throw new PipelineError('ERR_PIPELINE_MODEL', `feature-extraction expects output "${out}" of shape [${texts.length}, ${seq}, dim]; got [${t.dims.join(', ')}]`);
    }
    const pooled = meanPool(floatData(t, `output "${out}"`), encodings.map((e) => e.attentionMask), seq, t.dims[2]!);
    if (options.normalize ?? true) pooled.forEach(l2Normalize);
    return typeof input === 'string' ? pooled[0]! : pooled;
  }) as FeatureExtractionPipeline;
}
