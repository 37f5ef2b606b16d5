/** voice-activity on silero VAD v5: 16 streaming steps at 8 kHz with carried state and context. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeValue } from '../../src/onnx/tensor-proto.js';
import { pipeline, PipelineError } from '../../src/pipelines/index.js';
import type { Tensor } from '../../src/tensor.js';
import { sharedOrSkip } from '../helpers/shared.js';

const dir = sharedOrSkip('models/silero-vad-v5-op18-ifless', 'voice-activity silero');

describe('voice-activity: silero-vad-v5', { skip: !dir }, () => {
  const steps = 16, context = 32, window = 256;
  // The audio: each step's input is 32 context samples then 256 new ones; keep the new ones.
  const audio = () => {
    const pcm = new Float32Array(steps * window);
    for (let k = 0; k < steps; k++) {
      const x = (decodeValue(readFileSync(join(dir!, `test_data_set_${k}/input_0.pb`)), 'tensor') as Tensor).data as Float32Array;
      pcm.set(x.subarray(context), k * window);
    }
    return pcm;
  };

  it('the 16 streaming speech probabilities match SOURCE.json within 1e-3', async () => {
    const expected = JSON.parse(readFileSync(join(dir!, 'SOURCE.json'), 'utf8')).speech_prob_per_step as number[];
    const vad = await pipeline('voice-activity', join(dir!, 'model.onnx'), { sampleRate: 8000 });
    try {
      const pcm = audio();
      // Uneven chunks: windows are cut and leftovers carried over between calls.
      const probs = [...await vad(pcm.subarray(0, 300)), ...await vad(pcm.subarray(300, 2000), { sampleRate: 8000 }), ...await vad(pcm.subarray(2000))];
      assert.equal(probs.length, steps);
      probs.forEach((p, k) => assert.ok(Math.abs(p - expected[k]!) <= 1e-3, `step ${k}: ${p} vs ${expected[k]}`));
      // The recorded outputs too, at full precision.
      probs.forEach((p, k) => {
        const ref = (decodeValue(readFileSync(join(dir!, `test_data_set_${k}/output_0.pb`)), 'tensor') as Tensor).data as Float32Array;
        assert.ok(Math.abs(p - ref[0]!) <= 1e-4, `step ${k}: ${p} vs output_0 ${ref[0]}`);
      });
      // After reset() the stream starts afresh and repeats the first step.
      vad.reset();
      const [first] = await vad(pcm.subarray(0, window));
      assert.ok(Math.abs(first! - probs[0]!) < 1e-6);
    } finally {
      await vad.release();
    }
  });

  it('rejects a wrong sample rate and non-Float32Array input, naming them', async () => {
    await assert.rejects(pipeline('voice-activity', join(dir!, 'model.onnx'), { sampleRate: 44100 }), (e: unknown) => e instanceof PipelineError && e.code === 'ERR_SAMPLE_RATE' && /44100/.test(e.message));
    const vad = await pipeline('voice-activity', join(dir!, 'model.onnx'), { sampleRate: 16000 });
    try {
      await assert.rejects(vad(new Float32Array(512), { sampleRate: 8000 }), (e: unknown) => e instanceof PipelineError && e.code === 'ERR_SAMPLE_RATE' && /8000.*16000/.test(e.message));
      await assert.rejects(vad([0, 1] as unknown as Float32Array), (e: unknown) => e instanceof PipelineError && e.code === 'ERR_PIPELINE_INPUT' && /Array/.test(e.message));
    } finally {
      await vad.release();
    }
  });
});
