/**
 * Sum (variadic, the residual add of older exports such as the ONNX model zoo's ResNets) as a
 * chain of Add nodes, so backends run their binary-add kernels and the residual fusion sees it.
 * ((a + b) + c) + … is the order Sum's reference kernel adds in, so results are unchanged.
 */
import { liveness, type IrGraph, type IrNode } from '../ir.js';
import { nameAllocator, newNode } from './match.js';

export function sumToAdd(g: IrGraph): IrGraph {
  const isSum = (n: IrNode) => n.domain === '' && n.opType === 'Sum' && n.inputs.length >= 2 && n.inputs.every(Boolean) && !!n.outputs[0];
  if (!g.nodes.some(isSum)) return g;
  const fresh = nameAllocator(g);
  const nodes: IrNode[] = [];
  for (const n of g.nodes) {
    if (!isSum(n)) { nodes.push(n); continue; }
    let acc = n.inputs[0]!;
    for (let i = 1; i < n.inputs.length; i++) {
      const out = i < n.inputs.length - 1 ? fresh(`${n.outputs[0]}::sum${i}`) : n.outputs[0]!;
      // Add-7 and later broadcast as Sum-8 does; Sum-6 required equal shapes, a special case.
      nodes.push(newNode(n.name, 'Add', Math.max(n.opset, 14), {}, [acc, n.inputs[i]!], [out], (op) => `${op.name} for ${n.desc}`));
      acc = out;
    }
  }
  return { ...g, nodes, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), g.initializers) };
}
