/** voice-activity on silero VAD v5: 16 streaming steps at 8 kHz with carried state and context. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pipeline, PipelineError } from '../../src/pipelines/index.js';
import { checkSileroStream } from '../helpers/pipeline-checks.js';
import { sharedOrSkip } from '../helpers/shared.js';

const dir = sharedOrSkip('models/silero-vad-v5-op18-ifless', 'voice-activity silero');

describe('voice-activity: silero-vad-v5', { skip: !dir }, () => {
  it('the 16 streaming speech probabilities match SOURCE.json within 1e-3', async () => {
    const vad = await pipeline('voice-activity', join(dir!, 'model.onnx'), { sampleRate: 8000 });
    try {
      await checkSileroStream(vad, dir!);
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
