/**
 * object-detection on real models: fastestdet (wolves.jpg) and ultraface (two images).
 * Strict check: fed the exact reference input pixels, the pipeline's detections equal the
 * reference outputs decoded the same way (count, boxes within a pixel, scores within 1e-3).
 * End to end from the JPEG the pixels differ slightly (jpeg-js vs libjpeg decoding), so that
 * check asks for the same confident objects at the same places.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeValue } from '../../src/onnx/tensor-proto.js';
import { decodeSsd, iou, loadImage, pipeline, stretchTransform, type Detection, type ObjectDetectionPipeline } from '../../src/pipelines/index.js';
import type { Tensor } from '../../src/tensor.js';
import { sharedDir, sharedOrSkip } from '../helpers/shared.js';

const readTensor = (p: string) => decodeValue(readFileSync(p), 'tensor') as Tensor;

/** The RGB pixels behind a reference NCHW input normalised as (p * rescale - mean) / std. */
function pixelsOf(t: Tensor, rescale: number, mean: number, std: number) {
  const [, , h, w] = t.dims as number[];
  const x = t.data as Float32Array;
  const data = new Uint8Array(w! * h! * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < w! * h!; p++) {
      const v = (x[c * w! * h! + p]! * std + mean) / rescale;
      data[p * 3 + c] = Math.round(v);
      assert.ok(Math.abs(v - Math.round(v)) < 1e-3, 'reference input holds 8-bit pixels');
    }
  }
  return { data, width: w!, height: h! };
}

function referenceOutputs(dir: string, names: readonly string[]) {
  return names.map((name, k) => {
    const t = readTensor(join(dir, `output_${k}.pb`));
    return { name, data: t.data as Float32Array, dims: t.dims };
  });
}

function assertSameDetections(got: Detection[], want: Detection[], what: string) {
  assert.equal(got.length, want.length, `${what}: detection count`);
  got.forEach((g, i) => {
    const w = want[i]!;
    assert.equal(g.label, w.label, `${what} #${i} label`);
    assert.ok(Math.abs(g.score - w.score) <= 1e-3, `${what} #${i} score ${g.score} vs ${w.score}`);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(g.box[k] - w.box[k]) <= 1, `${what} #${i} ${k} ${g.box[k]} vs ${w.box[k]}`);
  });
}

/** Every confident reference detection has a pipeline detection of the same label over it. */
function assertSameConfidentObjects(got: Detection[], want: Detection[], minScore: number, what: string) {
  for (const w of want.filter((d) => d.score >= minScore)) {
    const asCand = (d: Detection) => ({ ...d.box, score: d.score, classIndex: d.classIndex });
    const best = Math.max(0, ...got.filter((g) => g.label === w.label).map((g) => iou(asCand(g), asCand(w))));
    assert.ok(best >= 0.85, `${what}: reference ${w.label} at ${JSON.stringify(w.box)} (score ${w.score.toFixed(3)}) found with IoU ${best.toFixed(3)}`);
  }
}

async function check(det: ObjectDetectionPipeline, dir: string, image: string, outputNames: readonly string[], norm: [number, number, number], minScore: number) {
  const input = readTensor(join(dir, 'input_0.pb'));
  const { width, height } = await loadImage(image);
  const [, , h, w] = input.dims as number[];
  const want = det.decode(referenceOutputs(dir, outputNames), stretchTransform(width, height, w!, h!));
  assert.ok(want.length > 0, 'reference has detections');
  const exact = await det(pixelsOf(input, ...norm), { originalSize: { width, height } });
  assertSameDetections(exact, want, `${image} (reference pixels)`);
  assertSameConfidentObjects(await det(image), want, minScore, `${image} (decoded JPEG)`);
}

const fastest = sharedOrSkip('models/fastestdet', 'object-detection fastestdet');
describe('object-detection: fastestdet', { skip: !fastest }, () => {
  it('wolves.jpg matches the reference output decoded the same way', async () => {
    const det = await pipeline('object-detection', join(fastest!, 'model.onnx'), {
      decoder: 'fastestdet', labels: join(sharedDir, 'labels/coco-80.txt'), scoreThreshold: 0.3, iouThreshold: 0.45,
    });
    try {
      await check(det, join(fastest!, 'test_data_set_0'), join(fastest!, 'orig/wolves.jpg'), ['output'], [1 / 255, 0, 1], 0.6);
    } finally {
      await det.release();
    }
  });
});

const ultra = sharedOrSkip('models/ultraface-rfb-320', 'object-detection ultraface');
describe('object-detection: ultraface-rfb-320', { skip: !ultra }, () => {
  it('both images match the reference outputs decoded the same way', async () => {
    const det = await pipeline('object-detection', join(ultra!, 'model.onnx'), {
      decoder: 'ssd', labels: ['face'], scoreThreshold: 0.7, iouThreshold: 0.3,
      preprocess: { rescale: 1, mean: 127, std: 128 },
    });
    try {
      // SOURCE.json records how many anchors score above 0.7: the SSD decoder must see the same.
      const recorded = JSON.parse(readFileSync(join(ultra!, 'SOURCE.json'), 'utf8'))['anchors_with_face_score_gt_0.7'] as Record<string, number>;
      for (const [img, set] of [['1.jpg', 0], ['13.jpg', 1]] as const) {
        const dir = join(ultra!, `test_data_set_${set}`);
        const cands = decodeSsd({ outputs: referenceOutputs(dir, ['scores', 'boxes']), inputWidth: 320, inputHeight: 240, scoreThreshold: 0.7 });
        assert.equal(cands.length, recorded[img]);
        await check(det, dir, join(ultra!, 'orig', img), ['scores', 'boxes'], [1, 127, 128], 0.9);
      }
    } finally {
      await det.release();
    }
  });
});
