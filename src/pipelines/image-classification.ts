/** `image-classification`: image → preprocessing → model → scores → top-k labels. */
import { PipelineError } from '../errors.js';
import type { ModelSource } from '../load/source.js';
import { loadSession, floatData, makePipeline, pickOutput, proxiedPipeline, wantsProxy, type Pipeline, type PipelineOptions } from './common.js';
import { fittedOptions, imageInputSpec, loadImage, preprocessImage, type ImageInput, type ImagePreprocessOptions } from './image/index.js';
import { checkLabelCount, labelOf, loadLabels, type LabelsSource } from './labels.js';
import { toScores, topK, type ScoreFunction } from './scores.js';

/** Options of the `image-classification` pipeline. */
export interface ImageClassificationOptions extends PipelineOptions {
  /** Class names: an array, or a file (one per line, or JSON). Without them labels read `LABEL_i`. */
  labels?: LabelsSource;
  /** How the image becomes the model input (size, fit, mean/std, channel order, layout, dtype). */
  preprocess?: ImagePreprocessOptions;
  /** How outputs become scores; default `auto` (softmax unless the model already outputs probabilities). */
  scores?: ScoreFunction;
  /** Number of classes returned per image; default 5. */
  topK?: number;
  /** Which output holds the class scores; default the first. */
  output?: string;
}

/** One predicted class. */
export interface Classification {
  label: string;
  /** Class index in the model's output. */
  index: number;
  score: number;
}

/** Per-call options. */
export interface ImageClassificationCallOptions {
  topK?: number;
}

/** Classifies one image, or each image of an array. */
export type ImageClassificationPipeline = Pipeline<ImageInput | readonly ImageInput[], Classification[] | Classification[][], ImageClassificationCallOptions>;

/** Creates an image classification pipeline. */
export async function imageClassification(model: ModelSource, options: ImageClassificationOptions = {}): Promise<ImageClassificationPipeline> {
  if (wantsProxy(options)) return proxiedPipeline('image-classification', model, options);
  const labels = options.labels === undefined ? undefined : await loadLabels(options.labels);
  const session = await loadSession(model, options);
  const outputName = pickOutput(session, options.output, 'class score');
  const meta = session.inputMetadata[0];
  if (!meta || session.inputNames.length !== 1) {
    throw new PipelineError('ERR_PIPELINE_MODEL', `image-classification needs a model with one image input; this one has ${session.inputNames.length} (${session.inputNames.join(', ')})`);
  }
  const pp = options.preprocess ?? {};
  const spec = imageInputSpec(meta, pp);
  const ppOpts = fittedOptions(spec, pp);

  const classifyOne = async (input: ImageInput, k: number): Promise<Classification[]> => {
    const { tensor } = preprocessImage(await loadImage(input), spec.width, spec.height, ppOpts);
    const out = (await session.run({ [meta.name]: tensor }, [outputName]))[outputName]!;
    const logits = floatData(out, `output "${outputName}"`);
    checkLabelCount(labels, logits.length, outputName);
    const scores = toScores(logits, options.scores ?? 'auto');
    return topK(scores, k).map((i) => ({ label: labelOf(labels, i), index: i, score: scores[i]! }));
  };

  return makePipeline('image-classification', session, async (input, call) => {
    const k = call?.topK ?? options.topK ?? 5;
    if (Array.isArray(input)) {
      const all: Classification[][] = [];
      for (const one of input) all.push(await classifyOne(one, k));
      return all;
    }
    return classifyOne(input as ImageInput, k);
  }) as ImageClassificationPipeline;
}
