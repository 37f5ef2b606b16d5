/**
 * `wasmnn classify` and `wasmnn detect`: the task pipelines from the command line.
 * Options are parsed here into pipeline options; main.ts prints and handles errors.
 */
import { pipeline, type Classification, type Detection, type ImagePreprocessOptions } from '../pipelines/index.js';
import { progressBar } from './progress.js';

/** Reads a command's `--key value` options. */
export type OptionReader = (key: string) => string[];

export class CliUsageError extends Error {}

const DECODERS = ['fastestdet', 'yolov5', 'yolov8', 'ssd'] as const;

function num(opt: OptionReader, key: string, check: (v: number) => boolean, what: string): number | undefined {
  const v = opt(key)[0];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new CliUsageError(`--${key} expects ${what}, got "${v}"`);
  return n;
}

function numbers(opt: OptionReader, key: string): number[] | undefined {
  const v = opt(key)[0];
  if (v === undefined) return undefined;
  const xs = v.split(',').map(Number);
  if (xs.some((x) => !Number.isFinite(x))) throw new CliUsageError(`--${key} expects a number or comma-separated numbers (one per channel), got "${v}"`);
  return xs;
}

/** Preprocessing flags shared by classify and detect. */
export function preprocessOptions(opt: OptionReader): ImagePreprocessOptions {
  const p: { -readonly [K in keyof ImagePreprocessOptions]: ImagePreprocessOptions[K] } = {};
  const channels = opt('channels')[0];
  if (channels !== undefined) {
    if (channels !== 'rgb' && channels !== 'bgr' && channels !== 'grey') throw new CliUsageError(`--channels expects rgb, bgr or grey, got "${channels}"`);
    p.channels = channels;
  }
  const fit = opt('fit')[0];
  if (fit !== undefined) {
    if (fit !== 'stretch' && fit !== 'letterbox' && fit !== 'crop') throw new CliUsageError(`--fit expects stretch, letterbox or crop, got "${fit}"`);
    p.fit = fit;
  }
  const rescale = num(opt, 'rescale', (v) => v > 0, 'a positive number (e.g. 1 or 0.00392)');
  if (rescale !== undefined) p.rescale = rescale;
  const mean = numbers(opt, 'mean'), std = numbers(opt, 'std');
  if (mean) p.mean = mean;
  if (std) p.std = std;
  return p;
}

function common(opt: OptionReader, command: string) {
  const model = opt('model')[0];
  if (!model) throw new CliUsageError(`${command} needs --model <model.onnx>`);
  const backend = opt('backend')[0];
  const labelsFile = opt('labels')[0];
  // Model loading shows a progress bar (downloads of URLs especially).
  return { model, executionProviders: backend ? backend.split(',') : undefined, labels: labelsFile, sessionOptions: { onProgress: progressBar() } };
}

/** `wasmnn classify <image> --model m.onnx [--labels f] [--top N]`: the top classes. */
export async function classify(image: string, opt: OptionReader): Promise<Classification[]> {
  const { model, executionProviders, labels, sessionOptions } = common(opt, 'classify');
  const topK = num(opt, 'top', (v) => Number.isInteger(v) && v > 0, 'a positive whole number') ?? 5;
  const run = await pipeline('image-classification', model, { executionProviders, sessionOptions, labels, topK, preprocess: preprocessOptions(opt) });
  try {
    return await run(image) as Classification[];
  } finally {
    await run.release();
  }
}

/** `wasmnn detect <image> --model m.onnx --decoder d [--labels f]`: boxes in the image's pixels. */
export async function detect(image: string, opt: OptionReader): Promise<Detection[]> {
  const { model, executionProviders, labels, sessionOptions } = common(opt, 'detect');
  const decoder = opt('decoder')[0];
  if (!decoder || !(DECODERS as readonly string[]).includes(decoder)) {
    throw new CliUsageError(`detect needs --decoder ${DECODERS.join('|')} (the model's head), got ${decoder ? `"${decoder}"` : 'none'}`);
  }
  const run = await pipeline('object-detection', model, {
    executionProviders, sessionOptions, labels, decoder: decoder as (typeof DECODERS)[number], preprocess: preprocessOptions(opt),
    scoreThreshold: num(opt, 'score', (v) => v >= 0 && v <= 1, 'a number from 0 to 1'),
    iouThreshold: num(opt, 'iou', (v) => v >= 0 && v <= 1, 'a number from 0 to 1'),
  });
  try {
    return await run(image) as Detection[];
  } finally {
    await run.release();
  }
}

/** Human-readable lines for classifications. */
export function formatClassifications(cs: readonly Classification[]): string {
  return cs.map((c, i) => `${String(i + 1).padStart(2)}. ${c.label.padEnd(32)} ${(c.score * 100).toFixed(2).padStart(6)}%  (class ${c.index})`).join('\n');
}

/** Human-readable lines for detections. */
export function formatDetections(ds: readonly Detection[]): string {
  if (ds.length === 0) return 'no detections above the score threshold';
  const r = (v: number) => v.toFixed(1).padStart(7);
  return ds.map((d) => `${d.label.padEnd(16)} ${(d.score * 100).toFixed(1).padStart(5)}%  box x1 ${r(d.box.x1)} y1 ${r(d.box.y1)} x2 ${r(d.box.x2)} y2 ${r(d.box.y2)}`).join('\n');
}
