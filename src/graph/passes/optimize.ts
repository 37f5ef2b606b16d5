/**
 * The graph optimisation pipeline every session runs, shared by all backends.
 * Order matters: constants fold first (exporters' Identity/Cast/Shape chains on
 * weights become plain initializers, so patterns see constant operands), no-op
 * and dead nodes go next, then Sum becomes Add, pattern fusions, then the Conv-specific folds.
 */
import type { IrGraph } from '../ir.js';
import { foldConstants } from './constant-folding.js';
import { eliminateNoOps } from './eliminate.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { fuseActivations } from './fuse-activation.js';
import { fuseAttention } from './fuse-attention.js';
import { fuseGelu } from './fuse-gelu.js';
import { fuseLayerNorm } from './fuse-layernorm.js';
import { fuseMatMulBias } from './fuse-matmul-bias.js';
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
];

/** Runs every pass of {@link PASSES}; the input graph is not modified. */
export function optimizeGraph(g: IrGraph): IrGraph {
  return PASSES.reduce((h, pass) => pass(h), g);
}
