/** `object-detection`: image → preprocessing → model → decoder → class-aware NMS → boxes in the original image. */
import { PipelineError } from '../../errors.js';
import type { ModelSource } from '../../load/source.js';
import { floatData, loadSession, makePipeline, proxiedPipeline, wantsProxy, type Pipeline, type PipelineOptions } from '../common.js';
import { composeTransforms, imageInputSpec, loadImage, preprocessImage, stretchTransform, toOriginal, type ImageInput, type ImagePreprocessOptions, type ImageTransform } from '../image/index.js';
import { labelOf, loadLabels, type LabelsSource } from '../labels.js';
import { nonMaxSuppression } from './nms.js';
import { decodeSsd, type SsdOptions } from './ssd.js';
import type { Candidate, DecoderInput } from './types.js';
import { decodeFastestDet, decodeYolov5, decodeYolov8 } from './yolo.js';

/** The detection heads understood; see each decoder for the output layout it expects. */
export type DetectionDecoder = 'yolov5' | 'yolov8' | 'fastestdet' | 'ssd';

/** Options of the `object-detection` pipeline. */
export interface ObjectDetectionOptions extends PipelineOptions {
  /** Which head the model has. Required: output layouts are too alike to guess safely. */
  decoder: DetectionDecoder;
  /** Class names (array or file); default `LABEL_i`. */
  labels?: LabelsSource;
  /** Preprocessing; default fit is `letterbox` for YOLO heads and `stretch` otherwise. */
  preprocess?: ImagePreprocessOptions;
  /** Candidates scoring at or below this are dropped; default 0.25. */
  scoreThreshold?: number;
  /** NMS overlap limit; default 0.45. */
  iouThreshold?: number;
  /** Default 100. */
  maxDetections?: number;
  /** Let boxes of different classes suppress each other; default false. */
  classAgnostic?: boolean;
  /** SSD head options (box encoding, priors, output names). */
  ssd?: SsdOptions;
}

/** A detected object; the box is in the original image's pixels, clipped to it. */
export interface Detection {
  label: string;
  classIndex: number;
  score: number;
  box: { x1: number; y1: number; x2: number; y2: number };
}

/** Per-call overrides. */
export interface ObjectDetectionCallOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
  /**
   * The input was already scaled (stretched) from an original of this size, e.g. a video frame
   * drawn onto a model-sized canvas: boxes are mapped back to the original.
   */
  originalSize?: { width: number; height: number };
}

export type ObjectDetectionPipeline = Pipeline<ImageInput, Detection[], ObjectDetectionCallOptions> & {
  /** The model's input size in pixels: what `decode`'s outputs refer to. */
  readonly inputSize: { width: number; height: number };
  /** The class names in use (undefined: `LABEL_i`). */
  readonly labels: readonly string[] | undefined;
  /** Decodes raw model outputs (as the model gave them for an input mapped by `transform`): for custom preprocessing and tests. */
  decode(outputs: DecoderInput['outputs'], transform: ImageTransform, call?: ObjectDetectionCallOptions): Detection[];
};

const DECODERS: Record<DetectionDecoder, (input: DecoderInput, opts: ObjectDetectionOptions) => Candidate[]> = {
  yolov5: (i) => decodeYolov5(i),
  yolov8: (i) => decodeYolov8(i),
  fastestdet: (i) => decodeFastestDet(i),
  ssd: (i, o) => decodeSsd(i, o.ssd),
};

/** Creates an object detection pipeline. */
export async function objectDetection(model: ModelSource, options: ObjectDetectionOptions): Promise<ObjectDetectionPipeline> {
  if (wantsProxy(options)) return proxiedPipeline('object-detection', model, options);
  decoderOf(options);
  const labels = options.labels === undefined ? undefined : await loadLabels(options.labels);
  const session = await loadSession(model, options);
  const meta = session.inputMetadata[0];
  if (!meta || session.inputNames.length !== 1) {
    throw new PipelineError('ERR_PIPELINE_MODEL', `object-detection needs a model with one image input; this one has ${session.inputNames.length}`);
  }
  const pp = options.preprocess ?? {};
  const spec = imageInputSpec(meta, pp);
  const yolo = options.decoder === 'yolov5' || options.decoder === 'yolov8';
  const ppOpts: ImagePreprocessOptions = {
    fit: yolo ? 'letterbox' : 'stretch', ...pp,
    layout: spec.layout, dtype: spec.dtype, channels: pp.channels ?? (spec.channels === 1 ? 'grey' : 'rgb'),
  };

  const inputSize = { width: spec.width, height: spec.height };
  const finish = detectionDecoder(options, inputSize, labels);

  const run = async (input: ImageInput, call?: ObjectDetectionCallOptions): Promise<Detection[]> => {
    const image = await loadImage(input);
    const { tensor, transform: t } = preprocessImage(image, spec.width, spec.height, ppOpts);
    const o = call?.originalSize;
    const transform = o ? composeTransforms(stretchTransform(o.width, o.height, image.width, image.height), t) : t;
    const res = await session.run({ [meta.name]: tensor });
    const outputs = session.outputNames.map((name) => ({ name, data: floatData(res[name]!, `output "${name}"`), dims: res[name]!.dims }));
    return finish(outputs, transform, call);
  };
  return makePipeline('object-detection', session, run, { decode: finish, inputSize, labels }) as ObjectDetectionPipeline;
}

function decoderOf(options: ObjectDetectionOptions): (typeof DECODERS)[DetectionDecoder] {
  const decode = DECODERS[options?.decoder] as (typeof DECODERS)[DetectionDecoder] | undefined;
  if (!decode) {
    throw new PipelineError('ERR_PIPELINE_OPTION', `object-detection needs options.decoder, one of ${Object.keys(DECODERS).join(', ')}; got ${JSON.stringify(options?.decoder)}`);
  }
  return decode;
}

/**
 * The post-processing of a detection pipeline as a plain function: decoder, thresholds,
 * class-aware NMS, boxes mapped to the original image. Pure, so a proxied pipeline rebuilds
 * its `decode` on the caller's side from the same options.
 */
export function detectionDecoder(options: ObjectDetectionOptions, inputSize: { width: number; height: number }, labels: readonly string[] | undefined): ObjectDetectionPipeline['decode'] {
  const decode = decoderOf(options);
  return (outputs, transform, call) => {
    const scoreThreshold = call?.scoreThreshold ?? options.scoreThreshold ?? 0.25;
    const cands = decode({ outputs, inputWidth: inputSize.width, inputHeight: inputSize.height, scoreThreshold }, options);
    const kept = nonMaxSuppression(cands, call?.iouThreshold ?? options.iouThreshold ?? 0.45, options.maxDetections ?? 100, options.classAgnostic ?? false);
    return kept.map((c) => toDetection(c, transform, labels));
  };
}

function toDetection(c: Candidate, t: ImageTransform, labels: readonly string[] | undefined): Detection {
  const [ax, ay] = toOriginal(t, c.x1, c.y1);
  const [bx, by] = toOriginal(t, c.x2, c.y2);
  const cx = (v: number) => Math.min(Math.max(v, 0), t.width);
  const cy = (v: number) => Math.min(Math.max(v, 0), t.height);
  return { label: labelOf(labels, c.classIndex), classIndex: c.classIndex, score: c.score, box: { x1: cx(ax), y1: cy(ay), x2: cx(bx), y2: cy(by) } };
}
