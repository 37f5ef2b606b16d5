/** Image loading and preprocessing for the vision pipelines. */
export type { RgbaImage, ImageDataLike } from './rgba-image.js';
export { toRgbaImage } from './rgba-image.js';
export { decodeImage, sniffImageFormat, type ImageFormat } from './decode.js';
export { loadImage, type ImageInput } from './load.js';
export { resize, type ResizeFilter, type ResizeOptions } from './resize.js';
export { crop, centreCrop, letterbox, toOriginal, stretchTransform, composeTransforms, identityTransform, type ImageTransform, type LetterboxOptions } from './geometry.js';
export { imageToTensor, type ChannelOrder, type TensorOptions } from './to-tensor.js';
export { preprocessImage, imageInputSpec, fittedOptions, type FitMode, type ImagePreprocessOptions, type PreprocessedImage, type ImageInputSpec } from './preprocess.js';
