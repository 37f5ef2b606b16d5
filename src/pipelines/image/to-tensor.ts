/** Converts an RGBA image to a normalised model input tensor. */
import { PipelineError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { floatToHalf } from '../../util/half.js';
import type { RgbaImage } from './rgba-image.js';

/** Channel order of the tensor: RGB, BGR (OpenCV/Caffe models) or one grey channel. */
export type ChannelOrder = 'rgb' | 'bgr' | 'grey';

/** Options for {@link imageToTensor}. */
export interface TensorOptions {
  /** Default 'rgb'. */
  channels?: ChannelOrder;
  /** 'nchw' (default, PyTorch) or 'nhwc' (TensorFlow). */
  layout?: 'nchw' | 'nhwc';
  /** Multiplies each 0..255 value before normalising; default 1/255. */
  rescale?: number;
  /** Subtracted after rescaling, one value or one per channel; default 0. */
  mean?: number | readonly number[];
  /** Divides after subtracting the mean, one value or one per channel; default 1. */
  std?: number | readonly number[];
  /** Element type; default 'float32'. */
  dtype?: 'float32' | 'float16';
}

function perChannel(v: number | readonly number[] | undefined, dflt: number, n: number, what: string): number[] {
  if (v === undefined) return Array(n).fill(dflt);
  if (typeof v === 'number') return Array(n).fill(v);
  if (v.length === 1) return Array(n).fill(v[0]);
  if (v.length !== n) throw new PipelineError('ERR_PIPELINE_OPTION', `${what} has ${v.length} values but the tensor has ${n} channels`);
  return [...v];
}

/** Builds a [1, C, H, W] (or [1, H, W, C]) tensor: `(pixel * rescale - mean) / std` per channel. */
export function imageToTensor(img: RgbaImage, opts: TensorOptions = {}): Tensor {
  const order = opts.channels ?? 'rgb';
  const c = order === 'grey' ? 1 : 3;
  const rescale = opts.rescale ?? 1 / 255;
  const mean = perChannel(opts.mean, 0, c, 'mean');
  const std = perChannel(opts.std, 1, c, 'std');
  const { width: w, height: h, data } = img;
  const n = w * h;
  const out = new Float32Array(n * c);
  const nchw = (opts.layout ?? 'nchw') === 'nchw';
  const src = order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < c; k++) {
      // Grey is ITU-R 601 luma (exact for images that are already grey).
      const v = order === 'grey'
        ? Math.round((data[p * 4]! * 299 + data[p * 4 + 1]! * 587 + data[p * 4 + 2]! * 114) / 1000)
        : data[p * 4 + src[k]!]!;
      out[nchw ? k * n + p : p * c + k] = (v * rescale - mean[k]!) / std[k]!;
    }
  }
  const dims = nchw ? [1, c, h, w] : [1, h, w, c];
  if (opts.dtype === 'float16') return new Tensor('float16', Uint16Array.from(out, floatToHalf), dims);
  return new Tensor('float32', out, dims);
}
