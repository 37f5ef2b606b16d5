/**
 * text-classification on the BERT-base model the bench script exports (skipped when absent):
 * logits equal onnxruntime-node's for the same token ids. One session for the file (438 MB).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { l2Normalize, meanPool, pipeline, type TextClassification } from '../../src/pipelines/index.js';
import { Tokenizer } from '../../src/pipelines/tokenizers/index.js';
import { repoRoot, sharedOrSkip } from '../helpers/shared.js';

describe('feature-extraction pooling', () => {
  it('averages unmasked tokens and normalises', () => {
    const states = Float32Array.of(1, 2, 3, 4, 100, 100);
    const [v] = meanPool(states, [[1, 1, 0]], 3, 2);
    assert.deepEqual(Array.from(v!), [2, 3]);
    assert.ok(Math.abs(Math.hypot(...l2Normalize(v!)) - 1) < 1e-6);
  });
});

const model = join(repoRoot, 'bench/models/bert-base.onnx');
const vocab = sharedOrSkip('models/tokenizers/bert-base-uncased/tokenizer.json', 'text-classification bert-base');
const haveModel = existsSync(model);
if (!haveModel) console.log(`# text-classification bert-base: skipped, ${model} not found (npm run bench:models)`);

describe('text-classification: bert-base', { skip: !haveModel || !vocab }, () => {
  it('logits equal onnxruntime-node for the same text', async () => {
    const classify = await pipeline('text-classification', model, { tokenizer: vocab!, labels: ['NEGATIVE', 'POSITIVE'], topK: 2 });
    try {
      const text = 'The pipelines run the same model on every backend.';
      const got = await classify(text) as TextClassification;
      assert.equal(got.labels.length, 2);
      const enc = (Tokenizer.fromJSON(await (await import('node:fs/promises')).readFile(vocab!, 'utf8'))).encode(text, undefined, { truncation: { maxLength: 128 }, padding: { length: 128 } });
      const t = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, 128]);
      const ref = await ort.InferenceSession.create(model);
      const out = await ref.run({ input_ids: t(enc.ids), attention_mask: t(enc.attentionMask), token_type_ids: t(enc.typeIds) });
      const want = out.logits!.data as Float32Array;
      got.logits.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-4, `logit ${i}: ${v} vs ${want[i]}`));
      const sum = got.labels.reduce((s, l) => s + l.score, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
    } finally {
      await classify.release();
    }
  });
});
