/** Image → model input tensor: fit to the model's size, then normalise. */
import { PipelineError } from '../../errors.js';
import type { ValueMetadata } from '../../runtime/session.js';
import type { Tensor } from '../../tensor.js';
import { centreCrop, identityTransform, letterbox, thenScaleShift, type ImageTransform } from './geometry.js';
import { resize, type ResizeFilter } from './resize.js';
import type { RgbaImage } from './rgba-image.js';
import { imageToTensor, type TensorOptions } from './to-tensor.js';

/**
 * How an image is fitted to the model's input size:
 * - `stretch`: resize to exactly the input size (aspect ratio not kept);
 * - `letterbox`: scale to fit keeping the aspect ratio, pad the rest;
 * - `crop`: scale so the shorter side covers the input (divided by `cropRatio`), then centre crop.
 */
export type FitMode = 'stretch' | 'letterbox' | 'crop';

/** Preprocessing options shared by the image pipelines. */
export interface ImagePreprocessOptions extends TensorOptions {
  /** Model input size as [width, height] (or one number for square); default: from the model's input shape. */
  size?: number | readonly [number, number];
  /** Default 'stretch'. */
  fit?: FitMode;
  /** Resampling filter; default 'bilinear'. */
  filter?: ResizeFilter;
  /** Widen the bilinear filter when shrinking (Pillow-like); default true. */
  antialias?: boolean;
  /** For `crop`: the crop's share of the resized shorter side, e.g. 0.875 (224 of 256); default 1. */
  cropRatio?: number;
  /** For `letterbox`: RGB padding colour (default 114 grey) and placement (default centred). */
  padColour?: readonly number[];
  letterboxAlign?: 'centre' | 'top-left';
}

/** A preprocessed image: the tensor to feed and how original coordinates map onto it. */
export interface PreprocessedImage {
  tensor: Tensor;
  transform: ImageTransform;
}

/** Fits and normalises one image into a tensor of `width`×`height`. */
export function preprocessImage(img: RgbaImage, width: number, height: number, opts: ImagePreprocessOptions = {}): PreprocessedImage {
  const rs = { filter: opts.filter, antialias: opts.antialias };
  let t = identityTransform(img.width, img.height);
  let out: RgbaImage;
  const fit = opts.fit ?? 'stretch';
  if (fit === 'stretch') {
    out = img.width === width && img.height === height ? img : resize(img, width, height, rs);
    t = thenScaleShift(t, width / img.width, height / img.height, 0, 0);
  } else if (fit === 'letterbox') {
    const lb = letterbox(img, width, height, { ...rs, fill: opts.padColour, align: opts.letterboxAlign });
    out = lb.image;
    t = thenScaleShift(t, lb.scale, lb.scale, lb.dx, lb.dy);
  } else if (fit === 'crop') {
    const ratio = opts.cropRatio ?? 1;
    if (!(ratio > 0 && ratio <= 1)) throw new PipelineError('ERR_PIPELINE_OPTION', `cropRatio must be in (0, 1], got ${ratio}`);
    const s = Math.max(width, height) / ratio / Math.min(img.width, img.height);
    const rw = Math.max(width, Math.round(img.width * s)), rh = Math.max(height, Math.round(img.height * s));
    const scaled = rw === img.width && rh === img.height ? img : resize(img, rw, rh, rs);
    const c = centreCrop(scaled, width, height);
    out = c.image;
    t = thenScaleShift(t, rw / img.width, rh / img.height, c.dx, c.dy);
  } else {
    throw new PipelineError('ERR_PIPELINE_OPTION', `unknown fit mode "${String(fit)}"; expected stretch, letterbox or crop`);
  }
  return { tensor: imageToTensor(out, opts), transform: t };
}

/** What an image model's input looks like, from its metadata (overridable by options). */
export interface ImageInputSpec {
  width: number;
  height: number;
  layout: 'nchw' | 'nhwc';
  channels: 1 | 3;
  dtype: 'float32' | 'float16';
}

/** Reads size, layout, channel count and element type of an image input from the model; options win. */
export function imageInputSpec(meta: ValueMetadata, opts: ImagePreprocessOptions): ImageInputSpec {
  const shape = meta.shape ?? [];
  const dim = (i: number) => (typeof shape[i] === 'number' && shape[i]! > 0 ? shape[i] as number : undefined);
  const layout = opts.layout ?? (shape.length === 4 && (dim(3) === 1 || dim(3) === 3) && dim(1) !== 1 && dim(1) !== 3 ? 'nhwc' : 'nchw');
  const [ch, hi, wi] = layout === 'nchw' ? [1, 2, 3] : [3, 1, 2];
  const size = typeof opts.size === 'number' ? [opts.size, opts.size] : opts.size;
  const width = size?.[0] ?? dim(wi);
  const height = size?.[1] ?? dim(hi);
  if (!width || !height) {
    throw new PipelineError('ERR_PIPELINE_OPTION', `model input "${meta.name}" has no fixed spatial size (shape [${shape.join(', ')}]); pass options.size`);
  }
  const channels = opts.channels ? (opts.channels === 'grey' ? 1 : 3) : dim(ch) === 1 ? 1 : 3;
  const type = meta.type ?? 'float32';
  if (type !== 'float32' && type !== 'float16') {
    throw new PipelineError('ERR_PIPELINE_MODEL', `model input "${meta.name}" has element type ${type}; image pipelines feed float32 or float16`);
  }
  return { width, height, layout, channels, dtype: opts.dtype ?? type };
}

/**
 * The preprocessing options that fit `meta`'s input: the caller's options with the layout,
 * element type and channel order the model expects filled in.
 */
export function fittedOptions(spec: ImageInputSpec, opts: ImagePreprocessOptions): ImagePreprocessOptions {
  return { ...opts, layout: spec.layout, dtype: spec.dtype, channels: opts.channels ?? (spec.channels === 1 ? 'grey' : 'rgb') };
}
