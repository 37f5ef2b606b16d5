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
import { decodeSsd, pipeline } from '../../src/pipelines/index.js';
import { checkDetections as check, referenceOutputs } from '../helpers/pipeline-checks.js';
import { sharedDir, sharedOrSkip } from '../helpers/shared.js';

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
