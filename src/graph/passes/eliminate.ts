/**
 * Removes nodes that compute nothing at inference time:
 *  - Identity, and Dropout in inference mode whose mask nobody reads: readers are
 *    pointed at the input instead. When the output is a graph output, the input's
 *    producer writes that name directly (outputs keep their names); where neither
 *    rename is safe (a graph input feeding an output, a name read by a subgraph) the
 *    node stays.
 *  - Dead nodes: no output read by a node, a subgraph or the graph's outputs. Ops
 *    have no side effects here (random ops own their generator per node), so an
 *    unread result can be skipped.
 */
import { liveness, subgraphsOf, type IrGraph, type IrNode } from '../ir.js';
import { scalarOf } from '../../ops/util/read.js';
import { useCounts } from './uses.js';

export function eliminateNoOps(g: IrGraph): IrGraph {
  const aliased = removePassThroughs(g);
  return removeDeadNodes(aliased);
}

/** Names read from inside the subgraphs of the graph's nodes. */
function subgraphReads(nodes: readonly IrNode[]): Set<string> {
  const refs = new Set<string>();
  for (const n of nodes) for (const sub of subgraphsOf(n.attrs)) for (const r of sub.outerRefs) refs.add(r);
  return refs;
}

/** True when `n` passes input 0 through unchanged to output 0 and has no other output in use. */
function isPassThrough(n: IrNode, g: IrGraph, uses: ReadonlyMap<string, number>): boolean {
  if (n.domain !== '' || !n.inputs[0]) return false;
  if (n.opType === 'Identity') return true;
  if (n.opType !== 'Dropout') return false;
  const mask = n.outputs[1];
  if (mask && (uses.get(mask) ?? 0) > 0) return false;
  // Dropout-1..11 always runs as identity at inference; from 12, unless training_mode is set.
  if (n.op.since < 12) return true;
  const flag = (i: number): number | undefined => {
    const name = n.inputs[i];
    if (!name) return undefined;
    const t = g.initializers.get(name);
    return t && t.size === 1 ? scalarOf(t) : NaN;
  };
  const training = flag(2);
  return training === undefined || training === 0 || flag(1) === 0;
}

function removePassThroughs(g: IrGraph): IrGraph {
  const uses = useCounts(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const subRefs = subgraphReads(g.nodes);
  const produced = new Set<string>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) produced.add(o);
  const alias = new Map<string, string>();
  const resolve = (name: string): string => alias.get(name) ?? name;
  const dropped = new Set<IrNode>();
  for (const n of g.nodes) {
    if (!isPassThrough(n, g, uses)) continue;
    const src = resolve(n.inputs[0]!), out = n.outputs[0];
    if (!out || subRefs.has(out)) continue;
    if (!outputs.has(out)) {
      // Readers of `out` read `src` instead.
      alias.set(out, src);
      for (const [k, v] of alias) if (v === out) alias.set(k, src);
    } else if (produced.has(src) && !outputs.has(src) && !subRefs.has(src)) {
      // `out` must keep its name: the node producing `src` writes `out`, and readers of `src` follow.
      alias.set(src, out);
      for (const [k, v] of alias) if (v === src) alias.set(k, out);
    } else continue;
    dropped.add(n);
  }
  if (!dropped.size) return g;
  const rename = (names: readonly string[]) => (names.some((x) => alias.has(x)) ? names.map(resolve) : names);
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => {
    const inputs = rename(n.inputs), outs = rename(n.outputs);
    return inputs === n.inputs && outs === n.outputs ? n : { ...n, inputs, outputs: outs };
  });
  return { ...g, nodes, freeAfter: liveness(nodes, outputs, g.initializers) };
}

function removeDeadNodes(g: IrGraph): IrGraph {
  const live = new Set(g.outputs.map((o) => o.name));
  const keep = new Array<boolean>(g.nodes.length).fill(false);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => o && live.has(o))) continue;
    keep[i] = true;
    for (const inp of n.inputs) if (inp) live.add(inp);
    for (const r of subgraphReads([n])) live.add(r);
  }
  if (keep.every(Boolean)) return g;
  const nodes = g.nodes.filter((_, i) => keep[i]);
  return { ...g, nodes, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), g.initializers) };
}
