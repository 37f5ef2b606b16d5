/**
 * The generated ResNet-50 (test/helpers/resnet50.ts) has torchvision's architecture, and the
 * wasm backend runs it like onnxruntime does; the browser threads test relies on both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeModel } from '../../src/onnx/decode.js';
import { differential, oracle, randomTensor } from '../helpers/oracle.js';
import { RESNET50_IO, resnet50Bytes } from '../helpers/resnet50.js';

describe('generated ResNet-50', () => {
  const bytes = resnet50Bytes();

  it('has torchvision ResNet-50 v1.5 layer and parameter counts', () => {
    const g = decodeModel(bytes).graph;
    const count = (op: string) => g.nodes.filter((n) => n.opType === op).length;
    assert.deepEqual(
      { Conv: count('Conv'), BatchNormalization: count('BatchNormalization'), Relu: count('Relu'), Add: count('Add'), MaxPool: count('MaxPool'),
        GlobalAveragePool: count('GlobalAveragePool'), Flatten: count('Flatten'), Gemm: count('Gemm'), all: g.nodes.length },
      { Conv: 53, BatchNormalization: 53, Relu: 49, Add: 16, MaxPool: 1, GlobalAveragePool: 1, Flatten: 1, Gemm: 1, all: 175 });
    // Parameters as torchvision counts them: running mean and variance are buffers, not parameters.
    const buffers = new Set(g.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => n.inputs.slice(3)));
    const params = g.initializers.reduce((sum, t, i) => sum + (buffers.has(g.initializerNames[i]!) ? 0 : t.size), 0);
    assert.equal(params, 25_557_032);
    const strided = g.nodes.filter((n) => n.opType === 'Conv' && n.attributes.some((a) => a.name === 'strides' && a.ints?.[0] === 2));
    // Stem, then per stage 2–4 the first block's 3×3 conv (v1.5) and its projection shortcut.
    assert.deepEqual(strided.map((n) => n.outputs[0]), ['stem.conv', 'layer2.0.2.conv', 'layer2.0.downsample.conv',
      'layer3.0.2.conv', 'layer3.0.downsample.conv', 'layer4.0.2.conv', 'layer4.0.downsample.conv']);
  });

  it('wasm equals onnxruntime on a random image', { skip: oracle ? false : 'onnxruntime-node not installed' }, async () => {
    const x = randomTensor('float32', [...RESNET50_IO.dims], 7, -1, 1);
    const r = await differential(bytes, { [RESNET50_IO.input]: x }, { rtol: 1e-3, atol: 1e-4 }, 'wasm');
    assert.equal(r.oracleError, undefined);
    assert.deepEqual(r.mismatches, []);
  });
});
