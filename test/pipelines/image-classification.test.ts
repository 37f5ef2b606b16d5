/** image-classification on real models: squeezenet (float16, BGR 0..255) and mnist (grey, log-softmax). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeValue } from '../../src/onnx/tensor-proto.js';
import { pipeline, type Classification } from '../../src/pipelines/index.js';
import type { Tensor } from '../../src/tensor.js';
import { checkSqueezenet, squeezenetOptions } from '../helpers/pipeline-checks.js';
import { sharedOrSkip } from '../helpers/shared.js';

const readTensor = (p: string) => decodeValue(readFileSync(p), 'tensor') as Tensor;

const squeeze = sharedOrSkip('models/squeezenet1.0-fp16', 'image-classification squeezenet');
describe('image-classification: squeezenet1.0-fp16', { skip: !squeeze }, () => {
  for (const backend of ['js', 'wasm']) {
    it(`fish → tench, kitten → tabby, scores match the reference (${backend})`, async () => {
      const classify = await pipeline('image-classification', join(squeeze!, 'model.onnx'), { ...squeezenetOptions(), executionProviders: [backend] });
      try {
        await checkSqueezenet(classify, squeeze!);
      } finally {
        await classify.release();
      }
    });
  }
});

const mnist = sharedOrSkip('models/mnist-pytorch-burn', 'image-classification mnist');
describe('image-classification: mnist', { skip: !mnist }, () => {
  it('the five reference digits classify as recorded', async () => {
    const recorded = JSON.parse(readFileSync(join(mnist!, 'SOURCE.json'), 'utf8')).argmax_per_set as Record<string, number>;
    const classify = await pipeline('image-classification', join(mnist!, 'model.onnx'), {
      labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      preprocess: { mean: 0.1307, std: 0.3081 },
      topK: 1,
      executionProviders: ['js'],
    });
    try {
      // mnist_28.csv exists only as the normalised input tensor: recover its 0..255 grey pixels.
      const x = readTensor(join(mnist!, 'test_data_set_0/input_0.pb')).data as Float32Array;
      const grey = Uint8Array.from(x, (v) => Math.round((v * 0.3081 + 0.1307) * 255));
      grey.forEach((p, i) => assert.ok(Math.abs((p / 255 - 0.1307) / 0.3081 - x[i]!) < 1e-5, 'input is 8-bit grey'));
      const [csv] = await classify({ data: grey, width: 28, height: 28 }) as Classification[];
      assert.equal(Number(csv!.label), recorded['mnist_28.csv']);
      for (const d of [0, 3, 5, 7]) {
        const [top] = await classify(join(mnist!, `orig/wonnx_${d}.jpg`)) as Classification[];
        assert.equal(Number(top!.label), recorded[`wonnx ${d}.jpg`]);
        assert.ok(top!.score > 0.5, `digit ${d}: score ${top!.score}`);
      }
    } finally {
      await classify.release();
    }
  });
});
