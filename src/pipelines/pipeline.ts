/** `pipeline(task, model, options)`: the one entry point to the task pipelines. */
import { PipelineError } from '../errors.js';
import type { ModelSource } from '../load/source.js';
import { imageClassification, type ImageClassificationOptions, type ImageClassificationPipeline } from './image-classification.js';
import { objectDetection, type ObjectDetectionOptions, type ObjectDetectionPipeline } from './object-detection/index.js';
import { featureExtraction, type FeatureExtractionOptions, type FeatureExtractionPipeline } from './text/feature-extraction.js';
import { textClassification, type TextClassificationOptions, type TextClassificationPipeline } from './text/text-classification.js';
import { voiceActivity, type VoiceActivityOptions, type VoiceActivityPipeline } from './voice-activity.js';

/** Options and pipeline type of each task. */
export interface TaskMap {
  'image-classification': { options: ImageClassificationOptions; pipeline: ImageClassificationPipeline };
  'object-detection': { options: ObjectDetectionOptions; pipeline: ObjectDetectionPipeline };
  'voice-activity': { options: VoiceActivityOptions; pipeline: VoiceActivityPipeline };
  'text-classification': { options: TextClassificationOptions; pipeline: TextClassificationPipeline };
  'feature-extraction': { options: FeatureExtractionOptions; pipeline: FeatureExtractionPipeline };
}

/** The tasks `pipeline` knows. */
export type Task = keyof TaskMap;

const FACTORIES: { [T in Task]: (model: ModelSource, options: TaskMap[T]['options']) => Promise<TaskMap[T]['pipeline']> } = {
  'image-classification': imageClassification,
  'object-detection': objectDetection,
  'voice-activity': voiceActivity,
  'text-classification': textClassification,
  'feature-extraction': featureExtraction,
};

/**
 * Creates a task pipeline around a model (path, URL or bytes). The result is an async function
 * taking the task's raw input (image, audio…) and returning answers, with `release()`.
 *
 * @example
 * const classify = await pipeline('image-classification', 'squeezenet.onnx', { labels: 'imagenet.txt' });
 * console.log(await classify('cat.jpg'));   // [{ label: 'tabby', index: 281, score: 0.7 }, …]
 * await classify.release();
 */
export async function pipeline<T extends Task>(task: T, model: ModelSource, ...options: {} extends TaskMap[T]['options'] ? [TaskMap[T]['options']?] : [TaskMap[T]['options']]): Promise<TaskMap[T]['pipeline']> {
  const make = Object.hasOwn(FACTORIES, task) ? FACTORIES[task] : undefined;
  if (!make) throw new PipelineError('ERR_UNKNOWN_TASK', `unknown task "${String(task)}"; known tasks: ${Object.keys(FACTORIES).join(', ')}`);
  return (make as (m: ModelSource, o: unknown) => Promise<TaskMap[T]['pipeline']>)(model, options[0] ?? {});
}
