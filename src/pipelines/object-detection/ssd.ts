/**
 * SSD-style heads (Ultraface and kin): one output of class scores [1, N, C] (class 0 is the
 * background) and one of boxes [1, N, 4]. Boxes are either already decoded corners in 0..1
 * (`corners`, what Ultraface's ONNX exports hold) or offsets from prior boxes (`priors`):
 * centre = prior centre + offset × centreVariance × prior size, size = prior size × exp(offset × sizeVariance).
 */
import { PipelineError } from '../../errors.js';
import type { Candidate, DecoderInput } from './types.js';

/** Prior (anchor) boxes of an SSD head, generated per feature-map level. */
export interface PriorOptions {
  /** Stride of each level in input pixels; default Ultraface's [8, 16, 32, 64]. */
  strides?: readonly number[];
  /** Box sizes in input pixels for each level; default Ultraface's. */
  minSizes?: readonly (readonly number[])[];
  /** Default [0.1, 0.2] (centre, size). */
  variances?: readonly [number, number];
}

/** Options of the SSD decoder. */
export interface SsdOptions {
  /** Default 'corners'. */
  boxEncoding?: 'corners' | 'priors';
  priors?: PriorOptions;
  /** Output names; default: the output whose last dim is 4 holds boxes, the other scores. */
  scoresOutput?: string;
  boxesOutput?: string;
}

const ULTRAFACE_STRIDES = [8, 16, 32, 64];
const ULTRAFACE_MIN_SIZES = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]];

/** Priors as [cx, cy, w, h] in 0..1, level by level, row by row, size by size. */
export function generatePriors(inputWidth: number, inputHeight: number, opts: PriorOptions = {}): Float32Array {
  const strides = opts.strides ?? ULTRAFACE_STRIDES;
  const sizes = opts.minSizes ?? ULTRAFACE_MIN_SIZES;
  if (sizes.length !== strides.length) throw new PipelineError('ERR_PIPELINE_OPTION', `priors: ${strides.length} strides but ${sizes.length} minSizes levels`);
  const out: number[] = [];
  const clip = (v: number) => Math.min(Math.max(v, 0), 1);
  strides.forEach((stride, level) => {
    const fw = Math.ceil(inputWidth / stride), fh = Math.ceil(inputHeight / stride);
    const sx = inputWidth / stride, sy = inputHeight / stride;
    for (let j = 0; j < fh; j++) {
      for (let i = 0; i < fw; i++) {
        for (const s of sizes[level]!) out.push(clip((i + 0.5) / sx), clip((j + 0.5) / sy), clip(s / inputWidth), clip(s / inputHeight));
      }
    }
  });
  return Float32Array.from(out);
}

function pickOutputs(input: DecoderInput, opts: SsdOptions) {
  const byName = (n: string | undefined) => (n === undefined ? undefined : input.outputs.find((o) => o.name === n));
  const boxes = byName(opts.boxesOutput) ?? input.outputs.find((o) => o.dims[o.dims.length - 1] === 4 && o.name !== opts.scoresOutput);
  const scores = byName(opts.scoresOutput) ?? input.outputs.find((o) => o !== boxes);
  if (!boxes || !scores || boxes.dims.length !== 3 || scores.dims.length !== 3 || boxes.dims[1] !== scores.dims[1]) {
    const shapes = input.outputs.map((o) => `"${o.name}" [${o.dims.join(', ')}]`).join(', ');
    throw new PipelineError('ERR_PIPELINE_MODEL', `ssd decoder expects scores [1, N, C] and boxes [1, N, 4] outputs; the model gives ${shapes}`);
  }
  return { boxes, scores };
}

/** Decodes SSD outputs into one candidate per (box, non-background class) above the threshold. */
export function decodeSsd(input: DecoderInput, opts: SsdOptions = {}): Candidate[] {
  const { boxes, scores } = pickOutputs(input, opts);
  const n = boxes.dims[1]!, c = scores.dims[2]!;
  const W = input.inputWidth, H = input.inputHeight;
  const usePriors = opts.boxEncoding === 'priors';
  const priors = usePriors ? generatePriors(W, H, opts.priors) : undefined;
  if (priors && priors.length !== n * 4) {
    throw new PipelineError('ERR_PIPELINE_MODEL', `ssd decoder generated ${priors.length / 4} priors for a ${W}×${H} input but output "${boxes.name}" has ${n} boxes; check priors.strides / minSizes`);
  }
  const [cv, sv] = opts.priors?.variances ?? [0.1, 0.2];
  const b = boxes.data, s = scores.data;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let x1: number, y1: number, x2: number, y2: number;
    if (priors) {
      const cx = priors[i * 4]! + b[i * 4]! * cv * priors[i * 4 + 2]!;
      const cy = priors[i * 4 + 1]! + b[i * 4 + 1]! * cv * priors[i * 4 + 3]!;
      const w = priors[i * 4 + 2]! * Math.exp(b[i * 4 + 2]! * sv);
      const h = priors[i * 4 + 3]! * Math.exp(b[i * 4 + 3]! * sv);
      [x1, y1, x2, y2] = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    } else {
      [x1, y1, x2, y2] = [b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!];
    }
    for (let k = 1; k < c; k++) {
      const score = s[i * c + k]!;
      // Class 0 is the background; reported class indices start at 0 for the first real class.
      if (score > input.scoreThreshold) out.push({ x1: x1 * W, y1: y1 * H, x2: x2 * W, y2: y2 * H, score, classIndex: k - 1 });
    }
  }
  return out;
}
