import { subgraphsOf, type IrGraph } from '../ir.js';

/** How many times each value is read: by nodes, by subgraphs (as outer references) and as a graph output. */
export function useCounts(g: IrGraph): Map<string, number> {
  const uses = new Map<string, number>();
  const add = (n: string) => { if (n) uses.set(n, (uses.get(n) ?? 0) + 1); };
  for (const n of g.nodes) {
    n.inputs.forEach(add);
    for (const sub of subgraphsOf(n.attrs)) sub.outerRefs.forEach(add);
  }
  for (const o of g.outputs) add(o.name);
  return uses;
}
