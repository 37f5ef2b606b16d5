/**
 * Scaled dot-product attention as PyTorch (BERT-style) and TF export it:
 *   MatMul(Q, Kᵀ) → [Div|Mul by a scalar constant] → [Add mask] → Softmax(last axis) → MatMul(·, V)
 * fused into one com.wasmnn::Attention node, so the scores are scaled, masked and
 * normalised in one pass. Intermediates must have no other reader; the mask must
 * not widen the scores' shape (checked with inferred shapes).
 */
import type { Dim } from '../../onnx/model.js';
import { Attention } from '../../ops/nn/attention.js';
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, fusedNode, GraphIndex } from './match.js';

interface Scores { qk: IrNode; nodes: IrNode[]; scale: number; divide: boolean }

export function fuseAttention(g: IrGraph): IrGraph {
  const ix = new GraphIndex(g);
  const fused = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const sm of g.nodes) {
    if (sm.domain !== '' || sm.opType !== 'Softmax') continue;
    const m = match(ix, sm);
    if (!m || m.nodes.some((p) => dropped.has(p))) continue;
    fused.set(m.root, fusedNode(m.root, Attention, 1, { scale: m.scale, divide: m.divide ? 1 : 0 }, m.inputs, m.nodes));
    for (const p of m.nodes) dropped.add(p);
  }
  return applyFusions(g, fused, dropped);
}

function match(ix: GraphIndex, sm: IrNode): { root: IrNode; nodes: IrNode[]; inputs: string[]; scale: number; divide: boolean } | undefined {
  const p = sm.inputs[0]!;
  const rank = ix.shape(p)?.length;
  const axis = (sm.attrs as { axis: number }).axis;
  if (rank === undefined || (axis < 0 ? axis + rank : axis) !== rank - 1) return undefined;
  const pv = ix.soleReader(sm.outputs[0], 'MatMul');
  if (!pv || pv.inputs[0] !== sm.outputs[0]) return undefined;
  let s: Scores | undefined;
  let mask: string | undefined;
  const add = ix.inner(p, 'Add');
  if (add) {
    for (const [a, b] of [[0, 1], [1, 0]] as const) {
      const scoresName = add.inputs[a]!;
      const found = scores(ix, scoresName);
      if (found && sameDims(ix.shape(scoresName), ix.shape(p))) {
        s = { ...found, nodes: [...found.nodes, add] };
        mask = add.inputs[b];
        break;
      }
    }
  } else s = scores(ix, p);
  if (!s) return undefined;
  const [q, kt] = s.qk.inputs as [string, string];
  const v = pv.inputs[1]!;
  if (![q, kt, v].every((t) => (ix.shape(t)?.length ?? 0) >= 2)) return undefined;
  return { root: pv, nodes: [...s.nodes, sm, pv], inputs: mask ? [q, kt, v, mask] : [q, kt, v], scale: s.scale, divide: s.divide };
}

/** Q·Kᵀ, optionally divided or multiplied by a scalar constant, ending at value `name` (read once). */
function scores(ix: GraphIndex, name: string): Scores | undefined {
  const direct = ix.inner(name, 'MatMul');
  if (direct) return { qk: direct, nodes: [direct], scale: 1, divide: false };
  const sc = ix.inner(name, 'Div', 'Mul');
  if (!sc) return undefined;
  for (const [a, b] of sc.opType === 'Div' ? [[0, 1] as const] : [[0, 1], [1, 0]] as const) {
    const qk = ix.inner(sc.inputs[a], 'MatMul');
    const c = qk && ix.scalar(sc.inputs[b], sc.inputs[a]!);
    if (qk && c !== undefined && c !== 0) return { qk, nodes: [qk, sc], scale: c, divide: sc.opType === 'Div' };
  }
  return undefined;
}

/** Two known shapes that are certainly equal (same static dims or same symbols). */
function sameDims(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d !== undefined && d === b[i]);
}
