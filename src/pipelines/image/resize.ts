/**
 * Separable resampling of 8-bit RGBA images. Each output pixel is a weighted sum of input
 * pixels, weights from a filter evaluated around the output pixel's centre. Weights are fixed
 * point with rounding after each pass, matching Pillow's `Image.resize`, so preprocessing
 * reproduces references made with PIL bit for bit.
 */
import { PipelineError } from '../../errors.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * `bilinear`: triangle filter (Pillow's BILINEAR); with `antialias` (the default) it widens when
 * shrinking so every input pixel contributes, without it samples the two nearest pixels like
 * OpenCV's INTER_LINEAR. `area`: each output pixel averages the input area it covers, weighted
 * by exact overlap (OpenCV's INTER_AREA when shrinking).
 */
export type ResizeFilter = 'bilinear' | 'area';

/** Options for {@link resize}. */
export interface ResizeOptions {
  filter?: ResizeFilter;
  /** Widen the bilinear filter when shrinking. Default true. */
  antialias?: boolean;
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

/** Per output pixel: the first input pixel and the fixed-point weights of the pixels from there. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

/** Unnormalised weights per output pixel and the input pixel each row starts at. */
interface RawTaps {
  rows: number[][];
  firsts: number[];
}

function bilinearTaps(inSize: number, outSize: number, antialias: boolean): RawTaps {
  const scale = inSize / outSize;
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = filterScale;
  const t: RawTaps = { rows: [], firsts: [] };
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const w: number[] = [];
    for (let i = lo; i < hi; i++) w.push(Math.max(0, 1 - Math.abs((i - centre + 0.5) / filterScale)));
    t.rows.push(w);
    t.firsts.push(lo);
  }
  return t;
}

function areaTaps(inSize: number, outSize: number): RawTaps {
  const scale = inSize / outSize;
  const t: RawTaps = { rows: [], firsts: [] };
  for (let o = 0; o < outSize; o++) {
    const a = o * scale;
    const b = Math.min((o + 1) * scale, inSize);
    const lo = Math.floor(a);
    const hi = Math.min(Math.ceil(b), inSize);
    const w: number[] = [];
    for (let i = lo; i < hi; i++) w.push(Math.min(b, i + 1) - Math.max(a, i));
    t.rows.push(w);
    t.firsts.push(lo);
  }
  return t;
}

function makeTaps(inSize: number, outSize: number, opts: ResizeOptions): Taps {
  const { rows, firsts } = opts.filter === 'area' ? areaTaps(inSize, outSize) : bilinearTaps(inSize, outSize, opts.antialias ?? true);
  const stride = Math.max(...rows.map((r) => r.length));
  const t: Taps = { first: Int32Array.from(firsts), count: new Int32Array(outSize), weights: new Float64Array(outSize * stride), stride };
  rows.forEach((w, o) => {
    const total = w.reduce((s, x) => s + x, 0);
    t.count[o] = w.length;
    // Normalised, then rounded to fixed point (half away from zero).
    w.forEach((x, k) => { t.weights[o * stride + k] = Math.sign(x) * Math.trunc(0.5 + Math.abs(total ? x / total : 0) * ONE); });
  });
  return t;
}

function clip8(acc: number): number {
  const v = Math.floor(acc / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resamples along one axis: `horizontal` filters within rows, otherwise within columns. */
function pass(src: RgbaImage, outW: number, outH: number, taps: Taps, horizontal: boolean): RgbaImage {
  const out = new Uint8Array(outW * outH * 4);
  const s = src.data;
  const sw = src.width;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y;
      const first = taps.first[o]!;
      const n = taps.count[o]!;
      let r = ONE / 2, g = ONE / 2, b = ONE / 2, a = ONE / 2;
      for (let k = 0; k < n; k++) {
        const w = taps.weights[o * taps.stride + k]!;
        const p = horizontal ? (y * sw + first + k) * 4 : ((first + k) * sw + x) * 4;
        r += s[p]! * w; g += s[p + 1]! * w; b += s[p + 2]! * w; a += s[p + 3]! * w;
      }
      const q = (y * outW + x) * 4;
      out[q] = clip8(r); out[q + 1] = clip8(g); out[q + 2] = clip8(b); out[q + 3] = clip8(a);
    }
  }
  return { data: out, width: outW, height: outH };
}

/** Resizes an RGBA image to `width`×`height` (horizontal pass first, then vertical). */
export function resize(img: RgbaImage, width: number, height: number, opts: ResizeOptions = {}): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new PipelineError('ERR_PIPELINE_OPTION', `resize target must be positive integers, got ${width}×${height}`);
  }
  let cur = img;
  if (width !== img.width) cur = pass(cur, width, cur.height, makeTaps(img.width, width, opts), true);
  if (height !== img.height) cur = pass(cur, width, height, makeTaps(img.height, height, opts), false);
  return cur;
}
