/**
 * Scaled dot-product attention as PyTorch (BERT-style) and TF export it:
 *   MatMul(Q, Kᵀ) → [Div|Mul by a scalar constant] → [Add mask] → Softmax(last axis) → MatMul(·, V)
 * fused into one com.wasmnn::Attention node, so the scores are scaled, masked and
 * normalised in one pass. Intermediates must have no other reader; the mask must
 * not widen the scores' shape (checked with inferred shapes).
 *
 * Then, where the exporter split the heads out of [B, S, H·D] projections
 * (Reshape → Transpose perm [0, 2, 1, 3], or [0, 2, 3, 1] for Kᵀ) and merged them
 * back after (Transpose [0, 2, 1, 3] → Reshape to [B, S, H·D]), the Attention node
 * absorbs those 8 nodes and reads and writes the packed layout (attribute `heads`):
 * the kernels index each head's columns in place instead of copying every Q, K, V
 * and context tensor through a transpose.
 */
import type { Dim } from '../../onnx/model.js';
import { Attention, type AttentionAttrs } from '../../ops/nn/attention.js';
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, fusedNode, GraphIndex } from './match.js';

interface Scores { qk: IrNode; nodes: IrNode[]; scale: number; divide: boolean }

export function fuseAttention(g: IrGraph): IrGraph {
  return packHeads(fuseScores(g));
}

function fuseScores(g: IrGraph): IrGraph {
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

/** A [B, N, H·D] value split into heads by Reshape [B, N, H, D] → Transpose(perm), each read once. */
function headSplit(ix: GraphIndex, name: string, perm: readonly number[]): { x: string; nodes: IrNode[]; dims: readonly Dim[]; heads: number } | undefined {
  const t = ix.inner(name, 'Transpose');
  const r = t && samePerm(t, perm) ? ix.inner(t.inputs[0], 'Reshape') : undefined;
  if (!t || !r) return undefined;
  const x = r.inputs[0]!;
  const xs = ix.shape(x), rs = ix.shape(r.outputs[0]!);
  if (xs?.length !== 3 || rs?.length !== 4) return undefined;
  const [H, D] = [rs[2], rs[3]];
  if (typeof H !== 'number' || typeof D !== 'number' || xs[2] !== H * D || rs[0] === undefined || rs[0] !== xs[0] || rs[1] === undefined || rs[1] !== xs[1]) return undefined;
  return { x, nodes: [r, t], dims: xs, heads: H };
}

function samePerm(t: IrNode, perm: readonly number[]): boolean {
  const p = (t.attrs as { perm?: readonly number[] }).perm;
  return !!p && p.length === perm.length && p.every((a, i) => a === perm[i]);
}

/** Attention nodes whose Q, Kᵀ, V come from head splits and whose output is merged back: the packed-heads form. */
function packHeads(g: IrGraph): IrGraph {
  const ix = new GraphIndex(g);
  const fused = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const a of g.nodes) {
    if (a.domain !== Attention.domain || a.opType !== Attention.name || (a.attrs as AttentionAttrs).heads > 0) continue;
    const q = headSplit(ix, a.inputs[0]!, [0, 2, 1, 3]);
    const k = headSplit(ix, a.inputs[1]!, [0, 2, 3, 1]);
    const v = headSplit(ix, a.inputs[2]!, [0, 2, 1, 3]);
    const t = ix.soleReader(a.outputs[0], 'Transpose');
    const r = t && samePerm(t, [0, 2, 1, 3]) ? ix.soleReader(t.outputs[0], 'Reshape') : undefined;
    if (!q || !k || !v || !t || !r) continue;
    const H = q.heads;
    const out = ix.shape(r.outputs[0]!);
    const [B, S] = q.dims;
    const dv = v.dims[2];
    const fits = k.heads === H && v.heads === H && B !== undefined && k.dims[0] === B && v.dims[0] === B &&
      k.dims[1] !== undefined && k.dims[1] === v.dims[1] && out?.length === 3 && out[0] === B && out[1] === S && S !== undefined && out[2] === dv;
    if (!fits) continue;
    const { scale, divide } = a.attrs as AttentionAttrs;
    const parts = [...q.nodes, ...k.nodes, ...v.nodes, a, t, r];
    fused.set(r, fusedNode(r, Attention, 1, { scale, divide: divide ? 1 : 0, heads: H }, [q.x, k.x, v.x, ...a.inputs.slice(3)], parts));
    for (const p of parts) dropped.add(p);
  }
  return applyFusions(g, fused, dropped);
}
