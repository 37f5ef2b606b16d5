/**
 * The graph optimisation pipeline every session runs, shared by all backends.
 * Order matters: constants fold first (exporters' Identity/Cast/Shape chains on
 * weights become plain initializers, so patterns see constant operands), no-op
 * and dead nodes go next, then Sum becomes Add, pattern fusions, then the Conv-specific folds.
 */
import type { Tensor } from '../../tensor.js';
import { mapSubgraphs, type IrGraph } from '../ir.js';
import { foldConstants } from './constant-folding.js';
import { eliminateNoOps } from './eliminate.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { fuseActivations } from './fuse-activation.js';
import { fuseAttention } from './fuse-attention.js';
import { fuseGelu } from './fuse-gelu.js';
import { fuseLayerNorm } from './fuse-layernorm.js';
import { fuseMatMulBias } from './fuse-matmul-bias.js';
import { fusePointwiseDepthwise } from './fuse-pointwise-depthwise.js';
import { sumToAdd } from './sum-to-add.js';

/** A rewrite returning an equivalent graph (or the same object when nothing applies). */
export type GraphPass = (g: IrGraph) => IrGraph;

/** The passes, in the order they run. */
export const PASSES: readonly GraphPass[] = [
  foldConstants,
  eliminateNoOps,
  sumToAdd,
  fuseLayerNorm,
  fuseGelu,
  fuseAttention,
  fuseMatMulBias,
  foldBatchNorm,
  fuseActivations,
  fusePointwiseDepthwise,
];

/**
 * Runs every pass of {@link PASSES}, then optimises the subgraphs of If/Loop/Scan nodes the same
 * way; the input graph is not modified. A subgraph sees the constants of its enclosing graphs
 * that it reads as its own initializers, so its weights fold, fuse and are packed like top-level
 * ones (a model that is one big If, as Silero VAD's sample-rate switch, otherwise ran every
 * weighted node on the reference kernels).
 */
export function optimizeGraph(g: IrGraph, outerConstants?: ReadonlyMap<string, Tensor>): IrGraph {
  let h = outerConstants ? withOuterConstants(g, outerConstants) : g;
  h = PASSES.reduce((x, pass) => pass(x), h);
  const visible = new Map([...(outerConstants ?? []), ...h.initializers]);
  let changed = false;
  const nodes = h.nodes.map((n) => {
    const attrs = mapSubgraphs(n.attrs, (sub) => optimizeGraph(sub, visible));
    if (attrs === n.attrs) return n;
    changed = true;
    return { ...n, attrs };
  });
  return changed ? { ...h, nodes } : h;
}

/** `g` with the outer constants it reads moved from its outer references into its initializers. */
function withOuterConstants(g: IrGraph, outer: ReadonlyMap<string, Tensor>): IrGraph {
  const inits = new Map(g.initializers);
  const refs = new Set(g.outerRefs);
  for (const r of g.outerRefs) {
    const t = outer.get(r);
    if (t && !inits.has(r)) { inits.set(r, t); refs.delete(r); }
  }
  if (refs.size === g.outerRefs.size) return g;
  return { ...g, initializers: inits, outerRefs: refs };
}
