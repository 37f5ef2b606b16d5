/** Sum becomes a chain of Adds (wasm add kernels, residual fusion) with unchanged results. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../src/graph/ir.js';
import { optimizeGraph } from '../../src/graph/passes/optimize.js';
import { sumToAdd } from '../../src/graph/passes/sum-to-add.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { defaultRegistry } from '../../src/ops/index.js';
import { GraphBuilder } from '../helpers/onnx-builder.js';
import { differential, randomTensor } from '../helpers/oracle.js';

function irOf(bytes: Uint8Array) {
  const m = decodeModel(bytes);
  return buildGraph(m.graph, { registry: defaultRegistry, opsets: new Map([['', m.opsetImports[0]!.version]]), functions: new Map() });
}

/** A model-zoo style residual block: Conv → Sum(conv, x) → Relu, plus a three-way broadcast Sum. */
function residual(opset: number): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', 'float32', [1, 4, 6, 6]);
  g.init('w', randomTensor('float32', [4, 4, 3, 3], 1, -0.5, 0.5));
  g.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] }, ['c']);
  g.node('Sum', ['c', 'x'], {}, ['s']);
  g.node('Relu', ['s'], {}, ['r']);
  g.init('row', randomTensor('float32', [6], 2));
  g.init('col', randomTensor('float32', [1, 4, 6, 1], 3));
  g.node('Sum', opset >= 8 ? ['r', 'row', 'col'] : ['r', 'r', 'x'], {}, ['y']);
  g.output('y', 'float32', [1, 4, 6, 6]);
  return g.build({ opset });
}

describe('Sum as Add', () => {
  it('two inputs become one Add, three a chain; the residual Add fuses into the Conv', () => {
    const ir = irOf(residual(13));
    const lowered = sumToAdd(ir);
    assert.deepEqual(lowered.nodes.map((n) => n.opType), ['Conv', 'Add', 'Relu', 'Add', 'Add']);
    assert.equal(lowered.nodes.at(-1)!.outputs[0], 'y');
    const opt = optimizeGraph(ir);
    assert.ok(!opt.nodes.some((n) => n.opType === 'Sum'));
    assert.ok(opt.nodes.some((n) => n.opType === 'FusedConv' && n.inputs.length === 4), opt.nodes.map((n) => `${n.opType}(${n.inputs.length})`).join(' '));
  });

  for (const opset of [6, 13]) {
    for (const backend of ['js', 'wasm', 'wasm-mt']) {
      it(`opset ${opset}, ${backend}: equals onnxruntime-node`, async () => {
        const r = await differential(residual(opset), { x: randomTensor('float32', [1, 4, 6, 6], 4) }, { rtol: 1e-5, atol: 1e-5 }, backend);
        assert.deepEqual(r.mismatches, []);
      });
    }
  }
});
