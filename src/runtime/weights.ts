/**
 * Where a session's weights live. Kernels are prepared at load, so a backend
 * copies (packs) its constant weights then; a file-backed weight the backend now
 * holds is released from JS as soon as its last reader is prepared, so each
 * weight is in memory once (engine) rather than twice (engine and JS).
 */
import type { Backend } from '../backends/backend.js';
import { subgraphsOf, type IrGraph } from '../graph/ir.js';
import { isFileBacked, releaseStorage } from '../onnx/lazy-tensor.js';
import type { Tensor } from '../tensor.js';
import type { Value } from '../values.js';

/** Chooses every node's kernel of `g` now, releasing the JS storage of weights the backend holds. */
export function prepareKernels(g: IrGraph, backend: Backend): void {
  // Readers still to prepare, per file-backed initializer. Graph outputs and values read by
  // subgraphs are read from JS on every run, so those stay.
  const pending = new Map<Tensor, number>();
  const keep = new Set<string>(g.outputs.map((o) => o.name));
  for (const n of g.nodes) for (const r of subgraphRefs(n.attrs)) keep.add(r);
  for (const n of g.nodes) {
    for (const name of n.inputs) {
      const t = g.initializers.get(name);
      if (t && !keep.has(name) && isFileBacked(t)) pending.set(t, (pending.get(t) ?? 0) + 1);
    }
  }
  for (const n of g.nodes) {
    let held: ReadonlySet<Tensor> | undefined;
    try {
      backend.kernelFor(n, g);
      held = backend.heldConstants?.(n, g);
    } catch {
      // A kernel that cannot be prepared fails again on the run, where the error names its node.
    }
    for (const name of n.inputs) {
      const t = g.initializers.get(name);
      const left = t && pending.get(t);
      if (!t || !left) continue;
      if (!held?.has(t)) pending.delete(t); // this reader needs the data in JS
      else if (left > 1) pending.set(t, left - 1);
      else {
        pending.delete(t);
        releaseStorage(t);
      }
    }
  }
}

/**
 * Names that subgraphs in a node's attributes read from enclosing graphs: their outer references,
 * and the enclosing constants optimisation made their own initializers (optimize.ts), which are
 * the same tensors.
 */
function subgraphRefs(attrs: unknown, out: string[] = []): string[] {
  for (const sub of subgraphsOf(attrs)) {
    out.push(...sub.outerRefs, ...sub.initializers.keys());
    for (const n of sub.nodes) subgraphRefs(n.attrs, out);
  }
  return out;
}

/**
 * For runs whose feeds override initializers (old IR: initializers also listed as inputs):
 * the loaded graph with every such initializer turned into a plain input, so no backend
 * treats it as a constant, and its default values for the ones a run does not feed.
 */
export function overrideGraph(g: IrGraph): { graph: IrGraph; defaults: ReadonlyMap<string, Tensor> } {
  const defaults = new Map<string, Tensor>();
  const initializers = new Map(g.initializers);
  for (const i of g.inputs) {
    const t = initializers.get(i.name);
    if (t) { defaults.set(i.name, t); initializers.delete(i.name); }
  }
  return { graph: { ...g, initializers }, defaults };
}

/** Feeds completed with the defaults of overridable initializers not fed. */
export function withDefaults(feeds: ReadonlyMap<string, Value>, defaults: ReadonlyMap<string, Tensor>): Map<string, Value> {
  const all = new Map<string, Value>(feeds);
  for (const [name, t] of defaults) if (!all.has(name)) all.set(name, t);
  return all;
}
