/**
 * Pipelines with `proxy: true` run whole in the proxy worker (worker_threads here): the
 * squeezenet, fastestdet and silero checks hold, voice-activity state carries across calls in
 * the worker, errors keep their class and code, options that cannot cross are refused by name,
 * and releasing the last user stops the worker.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InferenceSession } from '../../src/runtime/session.js';
import type { ProxyWorker } from '../../src/runtime/proxy/remote-session.js';
import { pipeline, PipelineError, type Classification } from '../../src/pipelines/index.js';
import { Tokenizer } from '../../src/pipelines/tokenizers/index.js';
import { Tensor } from '../../src/tensor.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { checkDetections, checkSileroStream, checkSqueezenet, squeezenetOptions } from '../helpers/pipeline-checks.js';
import { sharedDir, sharedOrSkip } from '../helpers/shared.js';

/** A 2×2 RGB "classifier": flattens the NCHW pixels and scores 3 classes with a fixed matrix. */
function tinyClassifier(): Uint8Array {
  const g = new GraphBuilder();
  g.input('pixels', 'float32', [1, 3, 2, 2]);
  g.init('shape', new Tensor('int64', BigInt64Array.of(1n, 12n), [2]));
  g.init('w', new Tensor('float32', Float32Array.from({ length: 36 }, (_, i) => ((i * 7) % 11) / 5 - 1), [12, 3]));
  g.node('Reshape', ['pixels', 'shape'], {}, ['flat']);
  g.node('MatMul', ['flat', 'w'], {}, ['logits']);
  g.output('logits', 'float32', [1, 3]);
  return g.build();
}

const workerOf = (p: { session: unknown }) => (p.session as { handle?: { worker: ProxyWorker } }).handle?.worker;

describe('proxied pipelines (worker_threads)', () => {
  it('answer like the in-process pipeline; the session is a handle on the worker\'s', async () => {
    const options = { labels: ['a', 'b', 'c'], topK: 3 };
    const image = { data: Uint8Array.from({ length: 16 }, (_, i) => i * 13), width: 2, height: 2 };
    const local = await pipeline('image-classification', tinyClassifier(), { ...options, proxy: false });
    const progress: string[] = [];
    const remote = await pipeline('image-classification', tinyClassifier(), { ...options, proxy: true, sessionOptions: { onProgress: (p) => progress.push(p.phase) } });
    try {
      assert.match(remote.session.backendReason, /in a worker/);
      assert.deepEqual(remote.session.outputNames, ['logits']);
      assert.ok(progress.includes('ready'), `progress crossed back: ${progress.join(', ')}`);
      const want = await local(image) as Classification[];
      assert.deepEqual(await remote(image), want);
      assert.deepEqual(await remote([image, image], { topK: 1 }), [[want[0]], [want[0]]]);
      assert.equal(image.data.length, 16, 'the caller keeps its pixels');
    } finally {
      await local.release();
      await remote.release();
    }
  });

  it('refuses options that cannot cross, naming them, before starting a worker', async () => {
    await assert.rejects(pipeline('image-classification', tinyClassifier(), { proxy: true, scores: ((x: Float32Array) => x) as never }),
      (e: Error & { code?: string }) => e.code === 'ERR_PROXY_OPTION' && /options\.scores is a function/.test(e.message));
    await assert.rejects(pipeline('text-classification', tinyClassifier(), { proxy: true, tokenizer: Tokenizer.fromVocabTxt('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na') }),
      (e: Error & { code?: string }) => e.code === 'ERR_PROXY_OPTION' && /options\.tokenizer is a Tokenizer object/.test(e.message));
    await assert.rejects(pipeline('image-classification', tinyClassifier(), { sessionOptions: { proxy: true, signal: new AbortController().signal } }),
      (e: Error & { code?: string }) => e.code === 'ERR_PROXY_OPTION' && /options\.sessionOptions\.signal/.test(e.message));
  });

  it('errors from the worker keep their class and code; release stops the worker with its last user', async () => {
    await assert.rejects(pipeline('object-detection', tinyClassifier(), { proxy: true, decoder: 'nope' as never }),
      (e: unknown) => e instanceof PipelineError && e.code === 'ERR_PIPELINE_OPTION' && /options\.decoder/.test(e.message));
    const classify = await pipeline('image-classification', tinyClassifier(), { proxy: true, labels: ['a', 'b'] });
    const other = await InferenceSession.create(tinyClassifier(), { proxy: true });
    const w = workerOf(classify)!;
    try {
      await assert.rejects(classify({ data: new Uint8Array(16), width: 2, height: 2 }),
        (e: unknown) => e instanceof PipelineError && e.code === 'ERR_LABELS' && /2 entries .* 3 classes/.test(e.message));
      await assert.rejects(classify({ data: new Uint8Array(5), width: 2, height: 2 }),
        (e: unknown) => e instanceof PipelineError && e.code === 'ERR_PIPELINE_INPUT' && /5 values/.test(e.message));
      await assert.rejects(classify(join(sharedDir, 'no-such-image.png')), (e: unknown) => e instanceof PipelineError && /no-such-image\.png/.test(e.message));
    } finally {
      await classify.release();
    }
    assert.equal(w.stopping, false, 'the worker still serves the other session');
    await assert.rejects(classify({ data: new Uint8Array(16), width: 2, height: 2 }), (e: Error & { code?: string }) => e.code === 'ERR_SESSION_STATE' && /released/.test(e.message));
    await other.release();
    assert.equal(w.stopping, true, 'the worker stops with its last user');
  });
});

const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'proxied image-classification squeezenet');
describe('proxied image-classification: squeezenet1.0-fp16', { skip: !squeeze }, () => {
  it('fish → tench, kitten → tabby, scores match the reference (wasm, in the worker)', async () => {
    const classify = await pipeline('image-classification', join(squeeze!, 'model.onnx'), { ...squeezenetOptions(), executionProviders: ['wasm'], proxy: true });
    try {
      await checkSqueezenet(classify, squeeze!);
    } finally {
      await classify.release();
    }
  });
});

const fastest = sharedOrSkip('models/fastestdet', 'proxied object-detection fastestdet');
describe('proxied object-detection: fastestdet', { skip: !fastest }, () => {
  it('wolves.jpg matches the reference output decoded the same way', async () => {
    const det = await pipeline('object-detection', join(fastest!, 'model.onnx'), {
      decoder: 'fastestdet', labels: join(sharedDir, 'labels/coco-80.txt'), scoreThreshold: 0.3, iouThreshold: 0.45, proxy: true,
    });
    try {
      assert.deepEqual(det.inputSize, { width: 352, height: 352 });
      assert.equal(det.labels?.length, 80);
      await checkDetections(det, join(fastest!, 'test_data_set_0'), join(fastest!, 'orig/wolves.jpg'), ['output'], [1 / 255, 0, 1], 0.6);
    } finally {
      await det.release();
    }
  });
});

const silero = sharedOrSkip('models/silero-vad-v5-op18-ifless', 'proxied voice-activity silero');
describe('proxied voice-activity: silero-vad-v5', { skip: !silero }, () => {
  it('state and leftovers carry across calls in the worker; reset() starts afresh', async () => {
    const vad = await pipeline('voice-activity', join(silero!, 'model.onnx'), { sampleRate: 8000, proxy: true });
    try {
      assert.equal(vad.sampleRate, 8000);
      assert.equal(vad.windowSize, 256);
      await checkSileroStream(vad, silero!);
      await assert.rejects(vad(new Float32Array(256), { sampleRate: 16000 }), (e: unknown) => e instanceof PipelineError && e.code === 'ERR_SAMPLE_RATE');
    } finally {
      await vad.release();
    }
  });
});
