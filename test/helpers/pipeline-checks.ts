/** Checks shared by the pipeline tests and their proxied variants (test/pipelines/proxied.test.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeValue } from '../../src/onnx/tensor-proto.js';
import { iou, loadImage, stretchTransform, type Classification, type Detection, type ImageClassificationPipeline, type ObjectDetectionPipeline, type VoiceActivityPipeline } from '../../src/pipelines/index.js';
import type { Tensor } from '../../src/tensor.js';
import { halfArrayToFloat32 } from '../../src/util/half.js';
import { sharedDir } from './shared.js';

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

export function referenceOutputs(dir: string, names: readonly string[]) {
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

/** The strict and end-to-end detection checks described in object-detection.test.ts. */
export async function checkDetections(det: ObjectDetectionPipeline, dir: string, image: string, outputNames: readonly string[], norm: [number, number, number], minScore: number) {
  const input = readTensor(join(dir, 'input_0.pb'));
  const { width, height } = await loadImage(image);
  const [, , h, w] = input.dims as number[];
  const want = det.decode(referenceOutputs(dir, outputNames), stretchTransform(width, height, w!, h!));
  assert.ok(want.length > 0, 'reference has detections');
  const exact = await det(pixelsOf(input, ...norm), { originalSize: { width, height } });
  assertSameDetections(exact, want, `${image} (reference pixels)`);
  assertSameConfidentObjects(await det(image), want, minScore, `${image} (decoded JPEG)`);
}

/** squeezenet1.0-fp16's pipeline options: BGR pixels in 0..255, ImageNet labels. */
export function squeezenetOptions() {
  return { labels: join(sharedDir, 'labels/imagenet-1000.txt'), preprocess: { channels: 'bgr' as const, rescale: 1 } };
}

/** fish → tench, kitten → tabby, top-5 scores within 2e-3 of the recorded outputs. */
export async function checkSqueezenet(classify: ImageClassificationPipeline, dir: string): Promise<void> {
  for (const [img, set, label] of [['fish.png', 0, 'tench'], ['kitten_224.png', 1, 'tabby']] as const) {
    const top = await classify(join(dir, 'orig', img)) as Classification[];
    assert.equal(top.length, 5);
    assert.equal(top[0]!.label, label);
    const ref = halfArrayToFloat32(readTensor(join(dir, `test_data_set_${set}/output_0.pb`)).data as Uint16Array);
    for (const c of top) assert.ok(Math.abs(c.score - ref[c.index]!) <= 2e-3, `${img} ${c.label}: ${c.score} vs reference ${ref[c.index]}`);
  }
}

/** silero-vad-v5's 16 recorded steps at 8 kHz: 32 context samples then 256 new ones each; the new ones make the audio. */
function sileroAudio(dir: string): Float32Array {
  const steps = 16, context = 32, window = 256;
  const pcm = new Float32Array(steps * window);
  for (let k = 0; k < steps; k++) {
    const x = readTensor(join(dir, `test_data_set_${k}/input_0.pb`)).data as Float32Array;
    pcm.set(x.subarray(context), k * window);
  }
  return pcm;
}

/**
 * Streams silero's audio through an 8 kHz voice-activity pipeline in uneven chunks (windows cut
 * and leftovers, state and context carried between calls): the 16 probabilities match SOURCE.json
 * and the recorded outputs, and after reset() the first step repeats.
 */
export async function checkSileroStream(vad: VoiceActivityPipeline, dir: string): Promise<void> {
  const steps = 16, window = 256;
  const expected = JSON.parse(readFileSync(join(dir, 'SOURCE.json'), 'utf8')).speech_prob_per_step as number[];
  const pcm = sileroAudio(dir);
  // Uneven chunks: windows are cut and leftovers carried over between calls.
  const probs = [...await vad(pcm.subarray(0, 300)), ...await vad(pcm.subarray(300, 2000), { sampleRate: 8000 }), ...await vad(pcm.subarray(2000))];
  assert.equal(probs.length, steps);
  probs.forEach((p, k) => assert.ok(Math.abs(p - expected[k]!) <= 1e-3, `step ${k}: ${p} vs ${expected[k]}`));
  // The recorded outputs too, at full precision.
  probs.forEach((p, k) => {
    const ref = (decodeValue(readFileSync(join(dir, `test_data_set_${k}/output_0.pb`)), 'tensor') as Tensor).data as Float32Array;
    assert.ok(Math.abs(p - ref[0]!) <= 1e-4, `step ${k}: ${p} vs output_0 ${ref[0]}`);
  });
  // After reset() the stream starts afresh and repeats the first step.
  await vad.reset();
  const [first] = await vad(pcm.subarray(0, window));
  assert.ok(Math.abs(first! - probs[0]!) < 1e-6);
}
