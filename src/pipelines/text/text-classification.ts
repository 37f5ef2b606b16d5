/** `text-classification`: tokenizer → model → softmax (sigmoid for multi-label) → labels, top-k. */
import type { ModelSource } from '../../load/source.js';
import { floatData, loadSession, makePipeline, pickOutput, proxiedPipeline, wantsProxy, type Pipeline, type PipelineOptions } from '../common.js';
import { checkLabelCount, labelOf, loadLabels, type LabelsSource } from '../labels.js';
import { toScores, topK, type ScoreFunction } from '../scores.js';
import type { Classification } from '../image-classification.js';
import { loadTokenizer, textFeeds, type TokenizerSource } from './text-model.js';

/** Options of the `text-classification` pipeline. */
export interface TextClassificationOptions extends PipelineOptions {
  tokenizer: TokenizerSource;
  /** Class names (array, text or JSON file, e.g. a config's id2label); default `LABEL_i`. */
  labels?: LabelsSource;
  /** Default 'softmax'; 'sigmoid' for multi-label models. */
  scores?: ScoreFunction;
  /** Default 1. */
  topK?: number;
  /** Longest token sequence for models without a fixed length. */
  maxLength?: number;
  /** Which output holds the logits; default the first. */
  output?: string;
}

/** Classifies one text, or each text of an array; results also carry the raw `logits`. */
export type TextClassificationPipeline = Pipeline<string | readonly string[], TextClassification | TextClassification[], { topK?: number }>;

/** Top classes of one text, with the model's raw logits. */
export interface TextClassification {
  labels: Classification[];
  logits: Float32Array;
}

/** Creates a text classification pipeline. */
export async function textClassification(model: ModelSource, options: TextClassificationOptions): Promise<TextClassificationPipeline> {
  if (wantsProxy(options)) return proxiedPipeline('text-classification', model, options);
  const tokenizer = await loadTokenizer(options?.tokenizer, 'text-classification');
  const labels = options.labels === undefined ? undefined : await loadLabels(options.labels);
  const session = await loadSession(model, options);
  const out = pickOutput(session, options.output, 'logits');
  return makePipeline('text-classification', session, async (input, call) => {
    const texts = typeof input === 'string' ? [input] : [...input];
    const { feeds } = textFeeds(session, tokenizer, texts, options.maxLength);
    const all = floatData((await session.run(feeds, [out]))[out]!, `output "${out}"`);
    const classes = all.length / texts.length;
    checkLabelCount(labels, classes, out);
    const results = texts.map((_, b) => {
      const logits = all.slice(b * classes, (b + 1) * classes);
      const scores = toScores(logits, options.scores ?? 'softmax');
      const top = topK(scores, call?.topK ?? options.topK ?? 1).map((i) => ({ label: labelOf(labels, i), index: i, score: scores[i]! }));
      return { labels: top, logits };
    });
    return typeof input === 'string' ? results[0]! : results;
  }) as TextClassificationPipeline;
}
