import { describeNode, InvalidGraphError, UnsupportedOpError, WasmnnError } from '../errors.js';
import type { GraphProto, NodeProto, ValueInfo } from '../onnx/model.js';
import type { Tensor } from '../tensor.js';
import { AttrReader } from '../ops/attrs.js';
import type { CompiledGraph, OpDef } from '../ops/op.js';
import type { OpRegistry } from '../ops/registry.js';
import { inlineFunctions, type FunctionTable } from './functions.js';

/** A node with its op resolved and attributes parsed. */
export interface IrNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly op: OpDef<unknown>;
  readonly attrs: unknown;
  /** Input value names; '' marks an absent optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** `Conv node "conv1"`, for errors. */
  readonly desc: string;
}

/** A graph ready to execute: nodes in topological order, liveness computed. */
export interface IrGraph extends CompiledGraph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: ReadonlyMap<string, ValueInfo>;
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly nodes: readonly IrNode[];
  /** Names read from enclosing graphs (subgraphs only). */
  readonly outerRefs: ReadonlySet<string>;
  /** freeAfter[i]: local values whose last reader is node i. */
  readonly freeAfter: readonly (readonly string[])[];
}

export interface BuildOptions {
  registry: OpRegistry;
  /** Opset version per domain ('' = ai.onnx). */
  opsets: ReadonlyMap<string, number>;
  functions: FunctionTable;
}

/** Builds an executable graph. `outer` holds names visible from enclosing graphs. */
export function buildGraph(gp: GraphProto, opts: BuildOptions, outer?: ReadonlySet<string>): IrGraph {
  const nodes = inlineFunctions(gp.nodes, opts.functions);
  const initializers = new Map<string, Tensor>();
  gp.initializerNames.forEach((n, i) => initializers.set(n, gp.initializers[i]!));

  const defined = new Set<string>([...gp.inputs.map((i) => i.name), ...initializers.keys()]);
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o)) throw new InvalidGraphError(`value "${o}" is produced by two nodes (${describeNode(nodes[producer.get(o)!]!)} and ${describeNode(n)})`);
      if (gp.inputs.some((x) => x.name === o)) throw new InvalidGraphError(`${describeNode(n)} writes graph input "${o}"`);
      producer.set(o, i);
    }
  });
  const outerRefs = new Set<string>();
  const isVisible = (name: string) => defined.has(name) || producer.has(name);
  for (const n of nodes) {
    for (const inp of n.inputs) {
      if (inp === '' || isVisible(inp)) continue;
      if (outer?.has(inp)) { outerRefs.add(inp); continue; }
      throw new InvalidGraphError(`${describeNode(n)} reads "${inp}", which no node, initializer or graph input produces`);
    }
  }
  for (const o of gp.outputs) {
    if (isVisible(o.name)) continue;
    if (outer?.has(o.name)) { outerRefs.add(o.name); continue; }
    throw new InvalidGraphError(`graph output "${o.name}" is not produced by any node, initializer or graph input`);
  }

  const order = topoSort(nodes, producer);
  // Names visible to subgraphs of this graph: everything in scope here.
  const scope = new Set<string>([...(outer ?? []), ...defined, ...producer.keys()]);
  const irNodes = order.map((i) => resolveNode(nodes[i]!, opts, scope));
  for (const n of irNodes) collectSubgraphRefs(n, outerRefs, outer, isVisible);

  const valueInfo = new Map<string, ValueInfo>();
  for (const v of [...gp.valueInfo, ...gp.inputs, ...gp.outputs]) valueInfo.set(v.name, v);

  return {
    name: gp.name, inputs: gp.inputs, outputs: gp.outputs, valueInfo, initializers, nodes: irNodes, outerRefs,
    freeAfter: liveness(irNodes, new Set(gp.outputs.map((o) => o.name)), initializers),
  };
}

/** Kahn's algorithm, stable with respect to the file order; throws on cycles. */
function topoSort(nodes: readonly NodeProto[], producer: ReadonlyMap<string, number>): number[] {
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const inp of n.inputs) {
      const p = producer.get(inp);
      if (p !== undefined) deps.add(p);
    }
    for (const p of deps) {
      indeg[i]!++;
      users[p]!.push(i);
    }
  });
  // Fast path: already sorted (the common case) keeps file order.
  const order: number[] = [];
  const ready: number[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) if (indeg[i] === 0) ready.push(i);
  while (ready.length) {
    const i = ready.pop()!;
    order.push(i);
    const newly: number[] = [];
    for (const u of users[i]!) if (--indeg[u]! === 0) newly.push(u);
    newly.sort((a, b) => b - a);
    // Keep ascending file order among ready nodes: merge newly-ready into the stack.
    ready.push(...newly);
    ready.sort((a, b) => b - a);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.findIndex((_, i) => indeg[i]! > 0);
    throw new InvalidGraphError(`graph has a cycle through ${describeNode(nodes[stuck]!)}`);
  }
  return order;
}

function resolveNode(n: NodeProto, opts: BuildOptions, scope: ReadonlySet<string>): IrNode {
  const domain = n.domain === 'ai.onnx' ? '' : n.domain;
  const desc = describeNode(n);
  const opset = opts.opsets.get(domain);
  if (opset === undefined) throw new UnsupportedOpError(n.opType, domain, 0, n.name, `the model does not import domain "${domain || 'ai.onnx'}"`);
  const op = opts.registry.resolve(domain, n.opType, opset);
  if (!op) {
    const detail = opts.registry.known(domain, n.opType) ? `no implementation for opset ${opset}` : undefined;
    throw new UnsupportedOpError(n.opType, domain, opset, n.name, detail);
  }
  const reader = new AttrReader(desc, n.attributes, (g) => buildGraph(g, opts, scope));
  let attrs: unknown;
  try {
    attrs = op.attrs ? op.attrs(reader, opset) : undefined;
  } catch (e) {
    if (e instanceof WasmnnError) throw e;
    throw new InvalidGraphError(`${desc}: ${(e as Error).message}`);
  }
  return { name: n.name, opType: n.opType, domain, opset, op, attrs, inputs: n.inputs, outputs: n.outputs, desc };
}

/** Subgraphs may read names from further out; those are outer refs of this graph too. */
function collectSubgraphRefs(n: IrNode, outerRefs: Set<string>, outer: ReadonlySet<string> | undefined, isVisible: (s: string) => boolean): void {
  for (const sub of subgraphsOf(n.attrs)) for (const r of sub.outerRefs) if (!isVisible(r) && outer?.has(r)) outerRefs.add(r);
}

function isGraph(v: object): v is IrGraph {
  return 'outerRefs' in v && 'nodes' in v;
}

/** The subgraphs held directly in a node's parsed attributes (If branches, Loop/Scan bodies), not nested ones. */
export function subgraphsOf(attrs: unknown, out: IrGraph[] = []): IrGraph[] {
  if (!attrs || typeof attrs !== 'object') return out;
  if (isGraph(attrs)) out.push(attrs);
  else if (Array.isArray(attrs)) for (const x of attrs) subgraphsOf(x, out);
  else if (Object.getPrototypeOf(attrs) === Object.prototype) for (const x of Object.values(attrs)) subgraphsOf(x, out);
  return out;
}

/** `attrs` with every subgraph replaced by `f(subgraph)`; the same object when none changes. */
export function mapSubgraphs(attrs: unknown, f: (g: IrGraph) => IrGraph): unknown {
  if (!attrs || typeof attrs !== 'object') return attrs;
  if (isGraph(attrs)) return f(attrs);
  if (Array.isArray(attrs)) {
    const m = attrs.map((x) => mapSubgraphs(x, f));
    return m.some((x, i) => x !== attrs[i]) ? m : attrs;
  }
  if (Object.getPrototypeOf(attrs) !== Object.prototype) return attrs;
  const entries = Object.entries(attrs);
  const m = entries.map(([k, x]) => [k, mapSubgraphs(x, f)] as const);
  return m.some(([, x], i) => x !== entries[i]![1]) ? Object.fromEntries(m) : attrs;
}

/** For each node, the local values it is the last reader of (never graph outputs or initializers). */
export function liveness(nodes: readonly IrNode[], keep: ReadonlySet<string>, inits: ReadonlyMap<string, Tensor>): string[][] {
  const last = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const inp of n.inputs) if (inp) last.set(inp, i);
    for (const out of n.outputs) if (out && !last.has(out)) last.set(out, i); // unused outputs die at once
  });
  // Subgraph reads of outer values count as reads by the owning node.
  nodes.forEach((n, i) => {
    for (const sub of subgraphsOf(n.attrs)) for (const r of sub.outerRefs) last.set(r, Math.max(last.get(r) ?? -1, i));
  });
  const free: string[][] = nodes.map(() => []);
  for (const [name, i] of last) if (!keep.has(name) && !inits.has(name)) free[i]!.push(name);
  return free;
}
