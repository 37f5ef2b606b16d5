/**
 * FusedMatMul (internal, domain com.wasmnn): MatMul(A, B) followed by Add of a
 * constant bias, then optionally Add of a residual tensor and one unary activation,
 * made by the MatMul+bias fusion pass so a backend can finish the output while it is
 * still in its own memory instead of making more passes (and copies) over it.
 * Inputs: A, B, bias, residual (optional). Its reference kernel runs the original
 * nodes' kernels in their order — MatMul, Add(bias), Add(residual), the activation —
 * so results and output shape are exactly those of the unfused nodes.
 */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { ADD } from '../binary/table.js';
import { pick2, zipTensors } from '../binary/zip.js';
import { defineOp, type OpDef } from '../op.js';
import { dimsOf, elemTypeOf, elementwiseDims, tt } from '../util/infer-shapes.js';
import { tensorAt } from '../util/read.js';
import { MatMul } from './matmul.js';

/** A bias FusedMatMul adds in the GEMM's store: [N] or [1, …, 1, N], one value per output column. */
export function isBiasRow(b: Tensor, n: number): boolean {
  const r = b.dims.length;
  return r >= 1 && b.dims[r - 1] === n && b.dims.every((d, i) => i === r - 1 || d === 1);
}

/** The ai.onnx activations FusedMatMul may absorb: unary float ops every engine applies in place. */
export const MATMUL_ACTIVATIONS: ReadonlySet<string> = new Set(['Relu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'Tanh', 'Gelu', 'Erf']);

/** The absorbed activation node's op, type and parsed attributes. */
export interface FusedActivation {
  opType: string;
  op: OpDef<unknown>;
  attrs: unknown;
}

/** Attributes of FusedMatMul: the activation applied last, if any. */
export interface FusedMatMulAttrs {
  activation?: FusedActivation;
}

export const FusedMatMul = defineOp<FusedMatMulAttrs | undefined>({
  name: 'FusedMatMul',
  domain: 'com.wasmnn',
  since: 1,
  halfAsFloat: true,
  run: (inputs, attrs, ctx) => {
    let y = MatMul.run(inputs.slice(0, 2), undefined, ctx)[0] as Tensor;
    const bias = tensorAt(inputs, 2, 'bias');
    if (bias.type !== y.type) throw new OpError(`bias has type ${bias.type}, expected the product's type ${y.type}`);
    y = zipTensors(pick2(ADD, y.type), y, bias);
    if (inputs[3] !== undefined) {
      const r = tensorAt(inputs, 3, 'residual');
      if (r.type !== y.type) throw new OpError(`residual has type ${r.type}, expected the product's type ${y.type}`);
      y = zipTensors(pick2(ADD, y.type), y, r);
    }
    const act = attrs?.activation;
    return act ? act.op.run([y], act.attrs, ctx) : [y];
  },
  infer: (ins, attrs, ctx) => {
    const mm = MatMul.infer!(ins.slice(0, 2), undefined, ctx)[0];
    let dims = elementwiseDims(dimsOf(mm), dimsOf(ins[2]), undefined);
    if (ins.length > 3) dims = elementwiseDims(dims, dimsOf(ins[3]), undefined);
    return [tt(elemTypeOf(mm), dims)];
  },
});
