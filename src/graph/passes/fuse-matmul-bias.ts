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
import { liveness, type IrGraph, type IrNode } from '../ir.js';
import { useCounts } from './uses.js';

const isF32 = (t: Tensor | undefined): t is Tensor => t !== undefined && t.type === 'float32';
/** Add from opset 7 on (earlier versions have legacy broadcast attributes), with two inputs. */
const isAdd = (n: IrNode) => n.domain === '' && n.opType === 'Add' && n.opset >= 7 && n.inputs.length === 2 && !!n.outputs[0];

export function fuseMatMulBias(g: IrGraph): IrGraph {
  const uses = useCounts(g);
  const producer = new Map<string, IrNode>();
  const reader = new Map<string, IrNode>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n);
    for (const i of n.inputs) if (i) reader.set(i, n);
  }
  /** The node that alone reads `name`. */
  const soleReader = (name: string) => (uses.get(name) === 1 ? reader.get(name) : undefined);
  // The fused node takes the place of the last node it absorbs (its inputs are all ready there).
  const replaced = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const add of g.nodes) {
    if (!isAdd(add) || dropped.has(add) || replaced.has(add)) continue;
    for (const side of [0, 1]) {
      const mmOut = add.inputs[side]!, biasName = add.inputs[1 - side]!;
      const mm = producer.get(mmOut);
      if (!mm || mm.opType !== 'MatMul' || mm.domain !== '' || dropped.has(mm) || uses.get(mmOut) !== 1) continue;
      const w = g.initializers.get(mm.inputs[1] ?? ''), bias = g.initializers.get(biasName);
      if (!isF32(w) || w.dims.length !== 2 || !isF32(bias) || !isBiasRow(bias, w.dims[1]!)) continue;
      const inputs = [mm.inputs[0]!, mm.inputs[1]!, biasName];
      const absorbed = [mm, add];
      let out = add.outputs[0]!;
      const next = soleReader(out);
      if (next && isAdd(next) && next.inputs[0] !== next.inputs[1]) {
        inputs.push(next.inputs[next.inputs[0] === out ? 1 : 0]!);
        absorbed.push(next);
        out = next.outputs[0]!;
      }
      const act = soleReader(out);
      const attrs: FusedMatMulAttrs = {};
      if (act && act.domain === '' && MATMUL_ACTIVATIONS.has(act.opType) && act.inputs[0] === out && act.outputs[0]) {
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
  if (!replaced.size) return g;
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...g, nodes, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), g.initializers) };
}
