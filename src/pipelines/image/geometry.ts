/**
 * Crops, padding and letterboxing, each returning the {@link ImageTransform} that maps original
 * image coordinates to model-input coordinates, so results (boxes) can be mapped back.
 */
import { PipelineError } from '../../errors.js';
import { resize, type ResizeOptions } from './resize.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * Maps original-image coordinates to model-input coordinates: `xIn = x * scaleX + offsetX`.
 * {@link toOriginal} undoes it.
 */
export interface ImageTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  /** Size of the original image, for clipping mapped boxes. */
  width: number;
  height: number;
}

/** The identity transform of an image of the given size. */
export function identityTransform(width: number, height: number): ImageTransform {
  return { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0, width, height };
}

/** Composes `t` (original → intermediate) with a step that scales by (sx, sy) then shifts by (dx, dy). */
export function thenScaleShift(t: ImageTransform, sx: number, sy: number, dx: number, dy: number): ImageTransform {
  return { ...t, scaleX: t.scaleX * sx, scaleY: t.scaleY * sy, offsetX: t.offsetX * sx + dx, offsetY: t.offsetY * sy + dy };
}

/** The transform of stretching a `width`×`height` image to `toWidth`×`toHeight`. */
export function stretchTransform(width: number, height: number, toWidth: number, toHeight: number): ImageTransform {
  if (!(width > 0 && height > 0)) throw new PipelineError('ERR_PIPELINE_OPTION', `original image size must be positive, got ${width}×${height}`);
  return thenScaleShift(identityTransform(width, height), toWidth / width, toHeight / height, 0, 0);
}

/** Applies `first` then `second` (whose source is `first`'s result); the original size is `first`'s. */
export function composeTransforms(first: ImageTransform, second: ImageTransform): ImageTransform {
  return thenScaleShift(first, second.scaleX, second.scaleY, second.offsetX, second.offsetY);
}

/** Maps a model-input point back to the original image. */
export function toOriginal(t: ImageTransform, x: number, y: number): [number, number] {
  return [(x - t.offsetX) / t.scaleX, (y - t.offsetY) / t.scaleY];
}

/** Copies the `width`×`height` rectangle at (x, y); parts outside the image are filled with `fill`. */
export function crop(img: RgbaImage, x: number, y: number, width: number, height: number, fill: readonly number[] = [0, 0, 0]): RgbaImage {
  if (!Number.isInteger(x) || !Number.isInteger(y) || !Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PipelineError('ERR_PIPELINE_OPTION', `crop rectangle must be integers with a positive size, got ${width}×${height} at (${x}, ${y})`);
  }
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    out[p * 4] = fill[0]!; out[p * 4 + 1] = fill[1]!; out[p * 4 + 2] = fill[2]!; out[p * 4 + 3] = 255;
  }
  const x0 = Math.max(x, 0), x1 = Math.min(x + width, img.width);
  const y0 = Math.max(y, 0), y1 = Math.min(y + height, img.height);
  if (x1 > x0) {
    for (let sy = y0; sy < y1; sy++) {
      out.set(img.data.subarray((sy * img.width + x0) * 4, (sy * img.width + x1) * 4), ((sy - y) * width + (x0 - x)) * 4);
    }
  }
  return { data: out, width, height };
}

/** Crops the centred `width`×`height` rectangle (padding with black when the image is smaller). */
export function centreCrop(img: RgbaImage, width: number, height: number): { image: RgbaImage; dx: number; dy: number } {
  const dx = Math.floor((img.width - width) / 2);
  const dy = Math.floor((img.height - height) / 2);
  return { image: crop(img, dx, dy, width, height), dx: -dx, dy: -dy };
}

/** Options for {@link letterbox}. */
export interface LetterboxOptions extends ResizeOptions {
  /** RGB fill of the padding; default 114 grey (YOLO's). */
  fill?: readonly number[];
  /** Where the scaled image sits: centred (default) or in the top-left corner. */
  align?: 'centre' | 'top-left';
}

/**
 * Scales the image to fit `width`×`height` keeping its aspect ratio and pads the rest.
 * Returns the padded image and the scale and offsets applied.
 */
export function letterbox(img: RgbaImage, width: number, height: number, opts: LetterboxOptions = {}): { image: RgbaImage; scale: number; dx: number; dy: number } {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const scaled = resize(img, w, h, opts);
  const centred = (opts.align ?? 'centre') === 'centre';
  const dx = centred ? Math.floor((width - w) / 2) : 0;
  const dy = centred ? Math.floor((height - h) / 2) : 0;
  return { image: crop(scaled, -dx, -dy, width, height, opts.fill ?? [114, 114, 114]), scale, dx, dy };
}
