/**
 * GELU as exporters write it before opset 20, fused into one `Gelu` node:
 *  - exact (PyTorch, TF):  x · 0.5 · (1 + erf(x / √2))   (or erf(x · 1/√2))
 *  - tanh approximation:   x · 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))   (x³ as Pow(x, 3) or x·x·x)
 * The three factors x, 0.5 and (1 + …) may be multiplied in any grouping and order.
 * Every intermediate must have no reader outside the pattern. Five to nine
 * elementwise passes over the activation become one.
 */
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, fusedNode, GraphIndex, near, otherInput } from './match.js';

const SQRT2 = Math.SQRT2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const KAPPA = 0.044715;

interface Match { x: string; nodes: IrNode[]; root: IrNode }

export function fuseGelu(g: IrGraph): IrGraph {
  const ix = new GraphIndex(g);
  const fused = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  for (const n of g.nodes) {
    if (n.domain !== '') continue;
    const m = n.opType === 'Erf' ? matchErf(ix, n) : n.opType === 'Tanh' ? matchTanh(ix, n) : undefined;
    if (!m || m.nodes.some((p) => dropped.has(p))) continue;
    const approximate = n.opType === 'Tanh' ? 'tanh' : 'none';
    fused.set(m.root, fusedNode(m.root, 'Gelu', 20, { approximate }, [m.x], m.nodes));
    for (const p of m.nodes) dropped.add(p);
  }
  return applyFusions(g, fused, dropped);
}

/** erf(x/√2) or erf(x·(1/√2)), then the shared tail. */
function matchErf(ix: GraphIndex, erf: IrNode): Match | undefined {
  const scaled = ix.inner(erf.inputs[0], 'Div', 'Mul');
  if (!scaled) return undefined;
  let x: string | undefined;
  if (scaled.opType === 'Div') {
    if (near(ix.scalar(scaled.inputs[1], scaled.inputs[0]!), SQRT2)) x = scaled.inputs[0];
  } else {
    x = [0, 1].map((i) => scaled.inputs[i]!).find((v) => near(ix.scalar(otherInput(scaled, v), v), Math.SQRT1_2));
  }
  return x ? tail(ix, x, erf, [scaled, erf]) : undefined;
}

/** tanh(√(2/π) · (x + 0.044715 · x³)), then the shared tail. */
function matchTanh(ix: GraphIndex, tanh: IrNode): Match | undefined {
  const outer = ix.inner(tanh.inputs[0], 'Mul');
  const sum = outer && constFactor(ix, outer, SQRT_2_OVER_PI);
  const add = ix.inner(sum, 'Add');
  if (!outer || !add) return undefined;
  for (const [x, w] of [[add.inputs[0]!, add.inputs[1]!], [add.inputs[1]!, add.inputs[0]!]] as const) {
    const kMul = ix.inner(w, 'Mul');
    const cube = kMul && ix.inner(constFactor(ix, kMul, KAPPA), 'Pow', 'Mul');
    const cubeNodes = cube && cubeOf(ix, cube, x);
    if (kMul && cubeNodes) return tail(ix, x, tanh, [...cubeNodes, kMul, add, outer, tanh]);
  }
  return undefined;
}

/** The other operand of Mul node `m` when one operand is the scalar constant `c`. */
function constFactor(ix: GraphIndex, m: IrNode, c: number): string | undefined {
  const [a, b] = m.inputs;
  if (near(ix.scalar(b, a!), c)) return a;
  if (near(ix.scalar(a, b!), c)) return b;
  return undefined;
}

/** The nodes computing x³ ending at `cube`: Pow(x, 3), x·(x·x) or (x·x)·x; undefined otherwise. */
function cubeOf(ix: GraphIndex, cube: IrNode, x: string): IrNode[] | undefined {
  if (cube.opType === 'Pow') return cube.inputs[0] === x && ix.scalar(cube.inputs[1], x) === 3 ? [cube] : undefined;
  const sqName = otherInput(cube, x);
  const sq = ix.inner(sqName, 'Mul');
  return sq && sq.inputs[0] === x && sq.inputs[1] === x ? [sq, cube] : undefined;
}

/**
 * From the Erf/Tanh node `f` on: s = 1 + f(…), then x · 0.5 · s as two Muls in any
 * grouping. Returns the whole match with the final Mul as root.
 */
function tail(ix: GraphIndex, x: string, f: IrNode, head: IrNode[]): Match | undefined {
  const plus = ix.soleReader(f.outputs[0], 'Add');
  const s = plus?.outputs[0];
  if (!plus || !s || !near(ix.scalar(otherInput(plus, f.outputs[0]!), f.outputs[0]!), 1)) return undefined;
  const first = ix.soleReader(s, 'Mul');
  const other = first && otherInput(first, s);
  if (!first || other === undefined) return undefined;
  const isHalf = (v: string | undefined, operand: string) => near(ix.scalar(v, operand), 0.5);
  // (x·0.5)·s or (0.5·x)·s: the first Mul reading s is the root.
  const pre = ix.inner(other, 'Mul');
  if (pre && otherInput(pre, x) !== undefined && isHalf(otherInput(pre, x), x)) {
    return { x, root: first, nodes: [...head, plus, pre, first] };
  }
  // (x·s)·0.5 or (s·0.5)·x: a second Mul finishes the product.
  if (other !== x && !isHalf(other, s)) return undefined;
  const root = ix.soleReader(first.outputs[0], 'Mul');
  const last = root && otherInput(root, first.outputs[0]!);
  if (!root || last === undefined) return undefined;
  const ok = other === x ? isHalf(last, first.outputs[0]!) : last === x;
  return ok ? { x, root, nodes: [...head, plus, first, root] } : undefined;
}
