/**
 * FusedMatMul (internal, domain com.wasmnn): MatMul(A, B) followed by Add of a
 * constant bias, made by the MatMul+bias fusion pass so a backend can add the
 * bias as the GEMM stores its output instead of making another pass over memory.
 * Inputs: A, B, bias. Its reference kernel is MatMul's, then Add's broadcast sum,
 * so results and output shape are exactly those of the two original nodes.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { ADD } from '../binary/table.js';
import { pick2, zipTensors } from '../binary/zip.js';
import { defineOp } from '../op.js';
import { dimsOf, elemTypeOf, elementwiseDims, tt } from '../util/infer-shapes.js';
import { tensorAt } from '../util/read.js';
import { MatMul } from './matmul.js';

/** A bias FusedMatMul adds in the GEMM's store: [N] or [1, …, 1, N], one value per output column. */
export function isBiasRow(b: Tensor, n: number): boolean {
  const r = b.dims.length;
  return r >= 1 && b.dims[r - 1] === n && b.dims.every((d, i) => i === r - 1 || d === 1);
}

export const FusedMatMul = defineOp({
  name: 'FusedMatMul',
  domain: 'com.wasmnn',
  since: 1,
  halfAsFloat: true,
  run: (inputs, _attrs, ctx) => {
    const y = MatMul.run(inputs.slice(0, 2), undefined, ctx)[0] as Tensor;
    const bias = tensorAt(inputs, 2, 'bias');
    if (bias.type !== y.type) throw new OpError(`bias has type ${bias.type}, expected the product's type ${y.type}`);
    return [zipTensors(pick2(ADD, y.type), y, bias)];
  },
  infer: (ins, attrs, ctx) => {
    const mm = MatMul.infer!(ins.slice(0, 2), attrs, ctx)[0];
    return [tt(elemTypeOf(mm), elementwiseDims(dimsOf(mm), dimsOf(ins[2]), undefined))];
  },
});
