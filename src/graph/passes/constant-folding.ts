/**
 * Constant folding: a node whose every input is a constant (initializer or an
 * already folded value) runs once at session creation and its outputs become
 * initializers. Exporters emit many such nodes (Constant, ConstantOfShape,
 * Shape arithmetic on weights, weight transposes); folding them lets backends
 * see constant weights and prepare them (packing) once.
 */
import type { KernelContext } from '../../ops/op.js';
import { fileBackedTensor } from '../../onnx/lazy-tensor.js';
import { Tensor } from '../../tensor.js';
import { liveness, subgraphsOf, type IrGraph, type IrNode } from '../ir.js';

/** Ops whose outputs differ between runs must never be folded. */
const NONDETERMINISTIC = new Set(['RandomUniform', 'RandomNormal', 'RandomUniformLike', 'RandomNormalLike', 'Bernoulli', 'Multinomial', 'Dropout']);

/**
 * Folded outputs larger than this stay computed at run time (memory over speed), unless every
 * reader takes them as a weight that backends pack once (see {@link WEIGHT_SLOTS}).
 */
const MAX_FOLDED_ELEMENTS = 64 * 1024 * 1024;

/** Inputs (by op) that backends copy into their own layout when constant: the weights of the big products. */
const WEIGHT_SLOTS: Readonly<Record<string, readonly number[]>> = { Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], MatMul: [1] };

/**
 * Folded values from this size on can be recomputed rather than kept: a backend that packs them
 * may drop the JS copy, as it does for weights read from the model file.
 */
const RECOMPUTABLE_FROM = 1 << 20;

function hasSubgraph(attrs: unknown): boolean {
  return subgraphsOf(attrs).length > 0;
}

/**
 * Returns a graph with constant subexpressions evaluated; the input graph is not
 * modified. Initializers count as constants even when also listed as graph inputs:
 * a run whose feeds override one must use the unfolded graph (the session does).
 */
export function foldConstants(g: IrGraph): IrGraph {
  const inits = new Map(g.initializers);
  const isConst = (n: string) => n === '' || inits.has(n);
  const onlyWeights = weightOnlyValues(g);
  const kept: IrNode[] = [];
  let folded = 0;
  for (const node of g.nodes) {
    const foldable = !NONDETERMINISTIC.has(node.opType) && !hasSubgraph(node.attrs) && node.domain === ''
      && node.inputs.every(isConst) && node.outputs.length > 0;
    if (foldable) {
      const ins = node.inputs.map((n) => (n ? inits.get(n) : undefined));
      const outs = tryRun(node, ins);
      if (outs && outs.every((o, k) => o instanceof Tensor && (o.size <= MAX_FOLDED_ELEMENTS || onlyWeights.has(node.outputs[k] ?? '')))) {
        node.outputs.forEach((name, k) => {
          const t = outs[k] as Tensor;
          if (!name) return;
          inits.set(name, t.size < RECOMPUTABLE_FROM ? t
            : fileBackedTensor(t.type, t.dims, t.size, () => ((tryRun(node, ins) ?? [])[k] as Tensor).data, undefined, t.data));
        });
        folded++;
        continue;
      }
    }
    kept.push(node);
  }
  if (folded === 0) return g;
  const keep = new Set(g.outputs.map((o) => o.name));
  return { ...g, nodes: kept, initializers: inits, freeAfter: liveness(kept, keep, inits) };
}

/** Values read only at weight slots of ai.onnx nodes (not by subgraphs, not graph outputs). */
function weightOnlyValues(g: IrGraph): Set<string> {
  const ok = new Map<string, boolean>();
  for (const n of g.nodes) {
    const slots = n.domain === '' ? WEIGHT_SLOTS[n.opType] : undefined;
    n.inputs.forEach((v, i) => { if (v) ok.set(v, (ok.get(v) ?? true) && !!slots?.includes(i)); });
    if (hasSubgraph(n.attrs)) return new Set();
  }
  for (const o of g.outputs) ok.set(o.name, false);
  return new Set([...ok].filter(([, y]) => y).map(([v]) => v));
}

function tryRun(node: IrNode, inputs: (Tensor | undefined)[]): unknown[] | undefined {
  const ctx: KernelContext = {
    node: node.desc, opset: node.opset, numOutputs: node.outputs.length,
    outputRequested: (i) => (node.outputs[i] ?? '') !== '',
    runGraph: () => { throw new Error('no subgraphs in folding'); },
  };
  try {
    return node.op.run(inputs, node.attrs, ctx);
  } catch {
    // Invalid constant expressions are left in place to fail, with their node's name, at run time.
    return undefined;
  }
}
