/**
 * Fuses MatMul(x, constant W) → Add(·, constant bias) into one FusedMatMul node
 * when the product has no other reader and the bias is one row of N values
 * (shape [N] or [1, …, 1, N]): a backend then adds the bias while storing the
 * GEMM output (every Linear layer of a transformer export has this shape).
 */
import { FusedMatMul, isBiasRow } from '../../ops/nn/fused-matmul.js';
import type { Tensor } from '../../tensor.js';
import { liveness, type IrGraph, type IrNode } from '../ir.js';
import { useCounts } from './uses.js';

const isF32 = (t: Tensor | undefined): t is Tensor => t !== undefined && t.type === 'float32';

export function fuseMatMulBias(g: IrGraph): IrGraph {
  const uses = useCounts(g);
  const producer = new Map<string, IrNode>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const replaced = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const add of g.nodes) {
    // Opset < 7 Add has its own (legacy) broadcast rules: left alone.
    if (add.domain !== '' || add.opType !== 'Add' || add.opset < 7 || add.inputs.length !== 2 || !add.outputs[0]) continue;
    for (const side of [0, 1]) {
      const mmOut = add.inputs[side]!, biasName = add.inputs[1 - side]!;
      const mm = producer.get(mmOut);
      if (!mm || mm.opType !== 'MatMul' || mm.domain !== '' || replaced.has(mm) || uses.get(mmOut) !== 1) continue;
      const w = g.initializers.get(mm.inputs[1] ?? ''), bias = g.initializers.get(biasName);
      if (!isF32(w) || w.dims.length !== 2 || !isF32(bias) || !isBiasRow(bias, w.dims[1]!)) continue;
      replaced.set(mm, {
        ...mm, opType: 'FusedMatMul', domain: 'com.wasmnn', op: FusedMatMul as IrNode['op'], attrs: undefined,
        inputs: [mm.inputs[0]!, mm.inputs[1]!, biasName], outputs: [add.outputs[0]], desc: `${mm.desc} + ${add.desc}`,
      });
      dropped.add(add);
      break;
    }
  }
  if (!dropped.size) return g;
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...g, nodes, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), g.initializers) };
}
