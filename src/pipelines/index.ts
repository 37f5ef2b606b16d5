/**
 * Task pipelines: raw input in, answers out, on any backend.
 * `import { pipeline } from 'wasmnn/pipelines'`.
 */
export { pipeline, type Task, type TaskMap } from './pipeline.js';
export type { Pipeline, PipelineOptions } from './common.js';
export { imageClassification, type ImageClassificationOptions, type ImageClassificationPipeline, type ImageClassificationCallOptions, type Classification } from './image-classification.js';
export * from './object-detection/index.js';
export { voiceActivity, type VoiceActivityOptions, type VoiceActivityPipeline, type VoiceActivityCallOptions } from './voice-activity.js';
export * from './image/index.js';
export { textClassification, type TextClassificationOptions, type TextClassificationPipeline, type TextClassification } from './text/text-classification.js';
export { featureExtraction, meanPool, l2Normalize, type FeatureExtractionOptions, type FeatureExtractionPipeline } from './text/feature-extraction.js';
export { loadTokenizer, type TokenizerSource } from './text/text-model.js';
export { loadLabels, type LabelsSource } from './labels.js';
export type { FileSource } from './resources.js';
export { softmax, sigmoid, topK, type ScoreFunction } from './scores.js';
export { PipelineError } from '../errors.js';
