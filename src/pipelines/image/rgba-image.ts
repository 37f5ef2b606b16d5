/** The in-memory image every preprocessing step works on: 8-bit RGBA rows, like the DOM's ImageData. */
import { PipelineError } from '../../errors.js';

/** 8-bit RGBA pixels, rows top to bottom, 4 bytes per pixel (the layout of `ImageData`). */
export interface RgbaImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Anything shaped like `ImageData`: RGBA (4 bytes per pixel), RGB (3) or grey (1) pixels. */
export interface ImageDataLike {
  readonly data: ArrayLike<number> & { length: number };
  readonly width: number;
  readonly height: number;
}

export function isImageDataLike(v: unknown): v is ImageDataLike {
  if (!v || typeof v !== 'object') return false;
  const o = v as Partial<ImageDataLike>;
  return typeof o.width === 'number' && typeof o.height === 'number' && !!o.data && typeof o.data.length === 'number';
}

/** Validates an ImageData-like object and widens RGB or grey pixels to RGBA. */
export function toRgbaImage(img: ImageDataLike): RgbaImage {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PipelineError('ERR_PIPELINE_INPUT', `image size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (data.length === n * 4) {
    return data instanceof Uint8Array || data instanceof Uint8ClampedArray ? { data, width, height } : { data: Uint8Array.from(data), width, height };
  }
  const channels = data.length / n;
  if (channels !== 3 && channels !== 1) {
    throw new PipelineError('ERR_PIPELINE_INPUT', `image data has ${data.length} values for ${width}×${height} pixels; expected ${n * 4} (RGBA), ${n * 3} (RGB) or ${n} (grey)`);
  }
  const out = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = data[p * channels + (channels === 3 ? c : 0)]!;
    out[p * 4 + 3] = 255;
  }
  return { data: out, width, height };
}
