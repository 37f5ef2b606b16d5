/**
 * LayerNormalization as exported before opset 17, fused into one node:
 *   m = ReduceMean(x, axes); d = x − m; v = ReduceMean(d² | d·d, axes);
 *   y = d / √(v + ε)  (or d · 1/√(v + ε)), then optionally · gamma, then + beta.
 * The reduced axes must be the trailing ones (attribute before opset 18, constant
 * input after), both means keep dims, and no intermediate has another reader.
 * Seven to nine passes over the activation become one.
 */
import { Tensor } from '../../tensor.js';
import type { Dim } from '../../onnx/model.js';
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, fusedNode, GraphIndex, otherInput } from './match.js';

interface ReduceAttrs { keepdims: boolean; axes: number[] | undefined; noop: boolean }

export function fuseLayerNorm(g: IrGraph): IrGraph {
  const ix = new GraphIndex(g);
  const fused = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  const inits = new Map(g.initializers);
  for (const n of g.nodes) {
    if (n.domain !== '' || n.opType !== 'ReduceMean') continue;
    const m = match(ix, n, inits);
    if (!m || m.nodes.some((p) => dropped.has(p))) continue;
    const root = m.nodes[m.nodes.length - 1]!;
    fused.set(root, fusedNode(root, 'LayerNormalization', 17, { axis: m.axis, epsilon: m.eps }, m.inputs, m.nodes));
    for (const p of m.nodes) dropped.add(p);
  }
  return applyFusions(g, fused, dropped, inits);
}

interface Match { nodes: IrNode[]; axis: number; eps: number; inputs: string[] }

function match(ix: GraphIndex, mean: IrNode, inits: Map<string, Tensor>): Match | undefined {
  const x = mean.inputs[0]!;
  const axis = trailingAxis(ix, mean, x);
  const sub = ix.soleReader(mean.outputs[0], 'Sub');
  const d = sub?.outputs[0];
  if (axis === undefined || !sub || !d || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return undefined;
  // d is read by the squaring node and the normalising node, nothing else.
  const readers = ix.readers.get(d) ?? [];
  const squares = (r: IrNode) => r.domain === '' && r.inputs[0] === d
    && (r.opType === 'Pow' ? ix.scalar(r.inputs[1], d) === 2 : r.opType === 'Mul' && r.inputs[1] === d);
  const sq = readers.find(squares);
  const norm = readers.find((r) => r !== sq && r.domain === '' && (r.opType === 'Div' || r.opType === 'Mul'));
  if (!sq || !norm || readers.some((r) => r !== sq && r !== norm) || ix.uses.get(d) !== readers.length) return undefined;
  const variance = ix.soleReader(sq.outputs[0], 'ReduceMean');
  if (!variance || trailingAxis(ix, variance, sq.outputs[0]!) !== axis) return undefined;
  const plusEps = ix.soleReader(variance.outputs[0], 'Add');
  const epsName = plusEps && otherInput(plusEps, variance.outputs[0]!);
  const eps = ix.scalar(epsName, variance.outputs[0]!);
  const sqrt = plusEps && ix.soleReader(plusEps.outputs[0], 'Sqrt');
  if (eps === undefined || eps < 0 || !sqrt) return undefined;
  const nodes = [mean, sub, sq, variance, plusEps!, sqrt];
  if (norm.opType === 'Div') {
    if (norm.inputs[0] !== d || norm.inputs[1] !== sqrt.outputs[0]) return undefined;
  } else {
    const recip = ix.soleReader(sqrt.outputs[0], 'Reciprocal');
    if (!recip || otherInput(norm, d) !== recip.outputs[0]) return undefined;
    nodes.push(recip);
  }
  nodes.push(norm);
  let y = norm.outputs[0]!;
  const scaleBy = ix.soleReader(y, 'Mul');
  const gamma = scaleBy && affineParam(ix, otherInput(scaleBy, y), x, axis);
  if (gamma) { nodes.push(scaleBy!); y = scaleBy!.outputs[0]!; }
  const shiftBy = ix.soleReader(y, 'Add');
  const beta = shiftBy && affineParam(ix, otherInput(shiftBy, y), x, axis);
  if (beta) nodes.push(shiftBy!);
  const scale = gamma ?? onesFor(ix, x, axis, inits, `${mean.outputs[0]}__ln_scale`);
  if (!scale) return undefined;
  return { nodes, axis, eps, inputs: beta ? [x, scale, beta] : [x, scale] };
}

/**
 * The LayerNormalization axis equivalent to a ReduceMean's axes: they must be
 * the trailing dims (checked without a rank when all negative), keepdims set.
 */
function trailingAxis(ix: GraphIndex, r: IrNode, x: string): number | undefined {
  const at = r.attrs as ReduceAttrs;
  if (!at.keepdims) return undefined;
  let axes = at.axes;
  if (r.inputs[1]) {
    const t = ix.g.initializers.get(r.inputs[1]);
    if (!t || (t.type !== 'int64' && t.type !== 'int32')) return undefined;
    axes = Array.from(t.data as ArrayLike<number | bigint>, Number);
  }
  if (!axes || axes.length === 0) return at.noop ? undefined : 0;
  const rank = ix.shape(x)?.length;
  const neg = axes.map((a) => (a < 0 ? a : rank === undefined ? NaN : a - rank)).sort((a, b) => a - b);
  // Trailing and contiguous: [-k, …, -1].
  return neg.every((a, i) => a === i - neg.length) ? neg[0] : undefined;
}

/** A constant gamma/beta that broadcasts onto the normalised dims only (so the fused op computes the same shape). */
function affineParam(ix: GraphIndex, name: string | undefined, x: string, axis: number): string | undefined {
  const t = ix.constTensor(name);
  const dims = ix.shape(x);
  if (!t || !dims) return undefined;
  const rank = dims.length;
  const first = axis < 0 ? axis + rank : axis;
  if (t.dims.length > rank) return undefined;
  const ok = t.dims.every((d, i) => {
    const xi = rank - t.dims.length + i;
    return d === 1 || (xi >= first && dims[xi] === d);
  });
  return ok ? name : undefined;
}

/** A ones Scale for the normalised dims, when they are static and the type float32/float64. */
function onesFor(ix: GraphIndex, x: string, axis: number, inits: Map<string, Tensor>, name: string): string | undefined {
  const dims = ix.shape(x);
  const type = ix.elemType(x);
  if (!dims || (type !== 'float32' && type !== 'float64')) return undefined;
  const block = dims.slice(axis < 0 ? axis + dims.length : axis);
  if (!block.every((d: Dim) => typeof d === 'number')) return undefined;
  const n = (block as number[]).reduce((p, d) => p * d, 1);
  const data = type === 'float32' ? new Float32Array(n).fill(1) : new Float64Array(n).fill(1);
  inits.set(name, new Tensor(type, data, block as number[]));
  return name;
}
