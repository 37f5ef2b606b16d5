/** Image decoding and preprocessing, labels, NMS and the YOLO decoders, on hand-made data. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import {
  centreCrop, decodeYolov5, decodeYolov8, imageToTensor, letterbox, loadImage, loadLabels, nonMaxSuppression,
  pipeline, PipelineError, preprocessImage, resize, toOriginal, type Candidate, type Task,
} from '../../src/pipelines/index.js';
import { halfToFloat } from '../../src/util/half.js';

const isPipelineError = (code: string, re: RegExp) => (e: unknown) => e instanceof PipelineError && e.code === code && re.test(e.message);

/** A w×h RGBA image whose pixel (x, y) is (x, y, x + y, 255). */
function ramp(w: number, h: number) {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, x + y, 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

describe('image decoding', () => {
  it('decodes PNG and JPEG bytes and files to RGBA', async () => {
    const src = ramp(8, 6);
    const png = PNG.sync.write(Object.assign(new PNG({ width: 8, height: 6 }), { data: Buffer.from(src.data) }));
    const fromPng = await loadImage(new Uint8Array(png));
    assert.deepEqual([fromPng.width, fromPng.height], [8, 6]);
    assert.deepEqual(Array.from(fromPng.data), Array.from(src.data));
    const file = join(mkdtempSync(join(tmpdir(), 'wasmnn-img-')), 'a.jpg');
    writeFileSync(file, jpeg.encode({ data: Buffer.from(src.data), width: 8, height: 6 }, 100).data);
    const fromJpeg = await loadImage(file);
    assert.deepEqual([fromJpeg.width, fromJpeg.height, fromJpeg.data.length], [8, 6, 8 * 6 * 4]);
    for (let i = 0; i < src.data.length; i++) assert.ok(Math.abs(fromJpeg.data[i]! - src.data[i]!) <= 8, `JPEG pixel ${i}`);
  });

  it('names unrecognised formats, unreadable files and malformed pixel arrays', async () => {
    await assert.rejects(loadImage(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39])), isPipelineError('ERR_IMAGE_FORMAT', /not recognised.*47 49 46 38/));
    await assert.rejects(loadImage('/nonexistent/cat.png'), isPipelineError('ERR_PIPELINE_INPUT', /cat\.png/));
    await assert.rejects(loadImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), isPipelineError('ERR_IMAGE_FORMAT', /cannot decode PNG/));
    await assert.rejects(loadImage({ data: new Uint8Array(10), width: 2, height: 2 }), isPipelineError('ERR_PIPELINE_INPUT', /10 values for 2×2/));
    await assert.rejects(loadImage(42 as never), isPipelineError('ERR_IMAGE_FORMAT', /not recognised \(number\)/));
  });

  it('widens RGB and grey pixel arrays to RGBA', async () => {
    const rgb = await loadImage({ data: [1, 2, 3, 4, 5, 6], width: 2, height: 1 });
    assert.deepEqual(Array.from(rgb.data), [1, 2, 3, 255, 4, 5, 6, 255]);
    const grey = await loadImage({ data: new Uint8Array([7, 9]), width: 1, height: 2 });
    assert.deepEqual(Array.from(grey.data), [7, 7, 7, 255, 9, 9, 9, 255]);
  });
});

describe('resize, crop, letterbox', () => {
  it('area-averages exact 2× shrinks and keeps sizes that do not change', () => {
    const img = ramp(4, 2);
    const out = resize(img, 2, 1, { filter: 'area' });
    // Rows are filtered first and rounded (as Pillow does): blue of pixel 0 is rows (0, 1) → 1
    // and (1, 2) → 2, then columns (1, 2) → 2; halves round up.
    assert.deepEqual(Array.from(out.data), [1, 1, 2, 255, 3, 1, 4, 255]);
    assert.equal(resize(img, 4, 2).data, img.data);
  });

  it('bilinear interpolates linear ramps exactly inside, with or without antialiasing', () => {
    const img = ramp(16, 16);
    for (const antialias of [true, false]) {
      const out = resize(img, 8, 8, { antialias });
      // Pixel x of the output sits at input x = 2x + 0.5: a linear ramp gives 2x + 0.5, rounded up.
      for (let x = 1; x < 7; x++) assert.equal(out.data[(3 * 8 + x) * 4], 2 * x + 1, `antialias ${antialias}, x ${x}`);
    }
    const up = resize(ramp(2, 1), 4, 1);
    assert.deepEqual([0, 1, 2, 3].map((x) => up.data[x * 4]), [0, 0, 1, 1]);
  });

  it('centre crops and letterboxes, and their transforms map points back', () => {
    const { image, dx, dy } = centreCrop(ramp(10, 6), 4, 4);
    assert.deepEqual([dx, dy], [-3, -1]);
    assert.deepEqual(Array.from(image.data.subarray(0, 4)), [3, 1, 4, 255]);
    const lb = letterbox(ramp(20, 10), 10, 10);
    assert.deepEqual([lb.scale, lb.dx, lb.dy], [0.5, 0, 2]);
    assert.deepEqual(Array.from(lb.image.data.subarray(0, 4)), [114, 114, 114, 255]);
    const pp = preprocessImage(ramp(20, 10), 10, 10, { fit: 'letterbox' });
    assert.deepEqual(toOriginal(pp.transform, 5, 7), [10, 10]);
    const crop = preprocessImage(ramp(20, 10), 8, 8, { fit: 'crop', cropRatio: 0.8 });
    assert.deepEqual(crop.tensor.dims, [1, 3, 8, 8]);
    assert.deepEqual(toOriginal(crop.transform, 4, 4), [10, 5]);
  });
});

describe('imageToTensor', () => {
  const img = { data: new Uint8Array([10, 20, 30, 255, 40, 50, 60, 255]), width: 2, height: 1 };
  it('lays out NCHW and NHWC, RGB and BGR, with mean/std', () => {
    assert.deepEqual(Array.from(imageToTensor(img, { rescale: 1 }).data as Float32Array), [10, 40, 20, 50, 30, 60]);
    assert.deepEqual(Array.from(imageToTensor(img, { rescale: 1, layout: 'nhwc', channels: 'bgr' }).data as Float32Array), [30, 20, 10, 60, 50, 40]);
    const t = imageToTensor(img, { rescale: 1, mean: [10, 20, 30], std: 2 });
    assert.deepEqual(Array.from(t.data as Float32Array), [0, 15, 0, 15, 0, 15]);
    assert.deepEqual(imageToTensor(img, { layout: 'nhwc' }).dims, [1, 1, 2, 3]);
  });
  it('makes grey and float16 tensors and names a wrong mean length', () => {
    const g = imageToTensor({ data: new Uint8Array([100, 100, 100, 255]), width: 1, height: 1 }, { channels: 'grey', rescale: 1 });
    assert.deepEqual([g.dims, Array.from(g.data as Float32Array)], [[1, 1, 1, 1], [100]]);
    const h = imageToTensor(img, { dtype: 'float16', rescale: 1 });
    assert.equal(h.type, 'float16');
    assert.deepEqual(Array.from(h.data as Uint16Array, halfToFloat), [10, 40, 20, 50, 30, 60]);
    assert.throws(() => imageToTensor(img, { mean: [1, 2] }), isPipelineError('ERR_PIPELINE_OPTION', /mean has 2 values.*3 channels/));
  });
});

describe('labels', () => {
  it('reads text, JSON arrays and id2label objects, and arrays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmnn-labels-'));
    writeFileSync(join(dir, 'l.txt'), 'cat\ndog\n\n');
    writeFileSync(join(dir, 'l.json'), JSON.stringify({ id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } }));
    assert.deepEqual(await loadLabels(join(dir, 'l.txt')), ['cat', 'dog']);
    assert.deepEqual(await loadLabels(join(dir, 'l.json')), ['NEGATIVE', 'POSITIVE']);
    assert.deepEqual(await loadLabels(new TextEncoder().encode('["a","b"]')), ['a', 'b']);
    assert.deepEqual(await loadLabels(['x']), ['x']);
  });
  it('names a missing labels file', async () => {
    await assert.rejects(loadLabels('/nonexistent/labels.txt'), isPipelineError('ERR_LABELS', /labels file "\/nonexistent\/labels\.txt"/));
  });
});

describe('pipeline()', () => {
  it('names an unknown task and a missing detection decoder', async () => {
    await assert.rejects(pipeline('summarisation' as Task, new Uint8Array()), isPipelineError('ERR_UNKNOWN_TASK', /"summarisation".*image-classification/));
    await assert.rejects(pipeline('object-detection', new Uint8Array(), {} as never), isPipelineError('ERR_PIPELINE_OPTION', /options\.decoder/));
  });
});

describe('detection decoders and NMS', () => {
  const box = (x1: number, y1: number, x2: number, y2: number, score: number, classIndex: number): Candidate => ({ x1, y1, x2, y2, score, classIndex });
  it('suppresses overlapping boxes of the same class only', () => {
    const c = [box(0, 0, 10, 10, 0.9, 0), box(1, 1, 11, 11, 0.8, 0), box(1, 1, 11, 11, 0.7, 1), box(20, 20, 30, 30, 0.6, 0)];
    assert.deepEqual(nonMaxSuppression(c, 0.5).map((b) => b.score), [0.9, 0.7, 0.6]);
    assert.deepEqual(nonMaxSuppression(c, 0.5, Infinity, true).map((b) => b.score), [0.9, 0.6]);
    assert.deepEqual(nonMaxSuppression(c, 0.5, 1).map((b) => b.score), [0.9]);
  });
  it('decodes YOLOv5 rows and transposed YOLOv8 columns', () => {
    // Two boxes, two classes. v5 rows: cx, cy, w, h, obj, c0, c1.
    const v5 = Float32Array.of(50, 40, 20, 10, 0.9, 0.2, 0.8, 10, 10, 4, 4, 0.1, 0.9, 0.1);
    const got5 = decodeYolov5({ outputs: [{ name: 'o', data: v5, dims: [1, 2, 7] }], inputWidth: 100, inputHeight: 100, scoreThreshold: 0.25 });
    assert.deepEqual(got5.map((c) => [c.x1, c.y1, c.x2, c.y2, c.classIndex]), [[40, 35, 60, 45, 1]]);
    assert.ok(Math.abs(got5[0]!.score - 0.72) < 1e-6);
    // v8: [1, 4 + C, N] with features along axis 1.
    const v8 = Float32Array.of(50, 10, 40, 10, 20, 4, 10, 4, 0.3, 0.1, 0.6, 0.2);
    const got8 = decodeYolov8({ outputs: [{ name: 'o', data: v8, dims: [1, 6, 2] }], inputWidth: 100, inputHeight: 100, scoreThreshold: 0.25 });
    assert.deepEqual(got8.map((c) => [c.x1, c.y1, c.x2, c.y2, c.classIndex]), [[40, 35, 60, 45, 1]]);
    assert.throws(() => decodeYolov5({ outputs: [{ name: 'o', data: v5, dims: [2, 7] }], inputWidth: 1, inputHeight: 1, scoreThreshold: 0 }), isPipelineError('ERR_PIPELINE_MODEL', /"o".*\[2, 7\]/));
  });
});
