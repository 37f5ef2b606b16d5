/**
 * Fuses MatMul(x, constant W) → Add(·, constant bias) into one FusedMatMul node
 * when the product has no other reader and the bias is one row of N values
 * (shape [N] or [1, …, 1, N]): a backend then adds the bias while storing the
 * GEMM output (every Linear layer of a transformer export has this shape). The
 * fused node also absorbs what alone reads its result next: an Add of a residual
 * tensor (a transformer's skip connection), then one unary activation such as
 * Gelu (its feed-forward layer), so these run on the output in the backend's
 * memory instead of as separate nodes.
 */
import { FusedMatMul, isBiasRow, MATMUL_ACTIVATIONS, type FusedMatMulAttrs } from '../../ops/nn/fused-matmul.js';
import type { Tensor } from '../../tensor.js';
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, GraphIndex } from './match.js';

const isF32 = (t: Tensor | undefined): t is Tensor => t !== undefined && t.type === 'float32';
/** Add from opset 7 on (earlier versions have legacy broadcast attributes), with two inputs. */
const isAdd = (n: IrNode) => n.domain === '' && n.opType === 'Add' && n.opset >= 7 && n.inputs.length === 2 && !!n.outputs[0];

export function fuseMatMulBias(g: IrGraph): IrGraph {
  const idx = new GraphIndex(g);
  // The fused node takes the place of the last node it absorbs (its inputs are all ready there).
  const replaced = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const add of g.nodes) {
    if (!isAdd(add) || dropped.has(add) || replaced.has(add)) continue;
    for (const side of [0, 1]) {
      const mmOut = add.inputs[side]!, biasName = add.inputs[1 - side]!;
      const mm = idx.inner(mmOut, 'MatMul');
      if (!mm || dropped.has(mm)) continue;
      const w = g.initializers.get(mm.inputs[1] ?? ''), bias = g.initializers.get(biasName);
      if (!isF32(w) || w.dims.length !== 2 || !isF32(bias) || !isBiasRow(bias, w.dims[1]!)) continue;
      const inputs = [mm.inputs[0]!, mm.inputs[1]!, biasName];
      const absorbed = [mm, add];
      let out = add.outputs[0]!;
      const next = idx.soleReader(out, 'Add');
      if (next && isAdd(next) && next.inputs[0] !== next.inputs[1]) {
        inputs.push(next.inputs[next.inputs[0] === out ? 1 : 0]!);
        absorbed.push(next);
        out = next.outputs[0]!;
      }
      const act = idx.soleReader(out, ...MATMUL_ACTIVATIONS);
      const attrs: FusedMatMulAttrs = {};
      if (act && act.inputs[0] === out && act.outputs[0]) {
        attrs.activation = { opType: act.opType, op: act.op, attrs: act.attrs };
        absorbed.push(act);
        out = act.outputs[0];
      }
      const last = absorbed[absorbed.length - 1]!;
      replaced.set(last, {
        ...mm, opType: 'FusedMatMul', domain: 'com.wasmnn', op: FusedMatMul as IrNode['op'], attrs: attrs.activation ? attrs : undefined,
        inputs, outputs: [out], desc: absorbed.map((n) => n.desc).join(' + '),
      });
      for (const n of absorbed) if (n !== last) dropped.add(n);
      break;
    }
  }
  return applyFusions(g, replaced, dropped);
}
