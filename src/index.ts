/**
 * wasmnn: ONNX inference for browsers and Node. The core API mirrors
 * onnxruntime-web: `InferenceSession`, `Tensor`, `env`.
 */
export { InferenceSession, type SessionOptions, type ValueMetadata, type FeedValue } from './runtime/session.js';
export { Tensor, type TensorInput } from './tensor.js';
export { Sequence, Optional, type Value } from './values.js';
export type { DataType, TensorData } from './dtype.js';
export * from './errors.js';
export { env } from './env.js';
export type { LoadProgress, LoadPhase, ProgressCallback } from './load/progress.js';
export type { CacheLike, CacheOption } from './load/cache/types.js';
export type { FetchOptions } from './load/fetch-model.js';
export { features, type Features } from './features.js';
