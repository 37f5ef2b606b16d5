/**
 * Helpers shared by the pattern-fusion passes: who produces and who reads each
 * value, constant scalars, static shapes (inferred once, lazily), building a
 * replacement node for a registered op, and splicing replacements into the graph.
 */
import type { Dim } from '../../onnx/model.js';
import { AttrType, type Attribute } from '../../onnx/model.js';
import { AttrReader } from '../../ops/attrs.js';
import type { OpDef } from '../../ops/op.js';
import { defaultRegistry } from '../../ops/index.js';
import { toNumbers } from '../../ops/util/read.js';
import type { Tensor } from '../../tensor.js';
import { inferGraphTypes } from '../infer.js';
import { liveness, type IrGraph, type IrNode } from '../ir.js';
import { useCounts } from './uses.js';

const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** Producers, read counts and constants of one graph, for matching patterns in it. */
export class GraphIndex {
  readonly producer = new Map<string, IrNode>();
  /** The nodes reading each value as an input (once per input slot). */
  readonly readers = new Map<string, IrNode[]>();
  /** Reads by nodes, by subgraphs and as graph outputs (see useCounts). */
  readonly uses: Map<string, number>;
  private types: ReturnType<typeof inferGraphTypes> | undefined;

  constructor(readonly g: IrGraph) {
    for (const n of g.nodes) {
      for (const o of n.outputs) if (o) this.producer.set(o, n);
      for (const i of n.inputs) {
        if (!i) continue;
        const list = this.readers.get(i);
        if (list) list.push(n);
        else this.readers.set(i, [n]);
      }
    }
    this.uses = useCounts(g);
  }

  /** The ai.onnx node producing `name` when its op type is one of `ops`. */
  op(name: string | undefined, ...ops: string[]): IrNode | undefined {
    const n = name ? this.producer.get(name) : undefined;
    return n && n.domain === '' && ops.includes(n.opType) ? n : undefined;
  }

  /** Like {@link op}, and `name` has no reader but the pattern (so its producer may be fused away). */
  inner(name: string | undefined, ...ops: string[]): IrNode | undefined {
    return name && this.uses.get(name) === 1 ? this.op(name, ...ops) : undefined;
  }

  /** The only reader of `name` when it is read once, by an ai.onnx node of one of `ops`. */
  soleReader(name: string | undefined, ...ops: string[]): IrNode | undefined {
    if (!name || this.uses.get(name) !== 1) return undefined;
    const r = this.readers.get(name)?.[0];
    return r && r.domain === '' && ops.includes(r.opType) ? r : undefined;
  }

  /** A float constant with one element, when it cannot change the shape of an op on `operand` (rank 0, or rank ≤ the operand's). */
  scalar(name: string | undefined, operand: string): number | undefined {
    const t = name ? this.g.initializers.get(name) : undefined;
    if (!t || t.size !== 1 || !FLOATS.has(t.type)) return undefined;
    if (t.dims.length > 0 && t.dims.length > (this.shape(operand)?.length ?? 0)) return undefined;
    return toNumbers(t)[0];
  }

  /** A float initializer. */
  constTensor(name: string | undefined): Tensor | undefined {
    const t = name ? this.g.initializers.get(name) : undefined;
    return t && FLOATS.has(t.type) ? t : undefined;
  }

  /** The element type of a tensor value, where known. */
  elemType(name: string): string | undefined {
    this.types ??= inferGraphTypes(this.g);
    const t = this.types.get(name);
    return t?.kind === 'tensor' ? t.elemType : undefined;
  }

  /** The static or symbolic shape of a tensor value, where inference knows its rank. */
  shape(name: string): readonly Dim[] | undefined {
    this.types ??= inferGraphTypes(this.g);
    const t = this.types.get(name);
    return t?.kind === 'tensor' ? t.shape : undefined;
  }
}

/** The other input of a two-input node, when one of its inputs is `one`. */
export function otherInput(n: IrNode, one: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  if (n.inputs[0] === one) return n.inputs[1];
  if (n.inputs[1] === one) return n.inputs[0];
  return undefined;
}

/** True when `v` equals `want` to within a relative tolerance (exporters round constants to float32). */
export function near(v: number | undefined, want: number, rtol = 1e-5): boolean {
  return v !== undefined && Math.abs(v - want) <= rtol * Math.abs(want);
}

/** An attribute value for {@link fusedNode}. */
export type AttrInit = number | string | number[];

function toAttribute(name: string, v: AttrInit): Attribute {
  if (typeof v === 'string') return { name, type: AttrType.String, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttrType.Ints, ints: v };
  return Number.isInteger(v) ? { name, type: AttrType.Int, i: v } : { name, type: AttrType.Float, f: v };
}

/**
 * A node running `target` in place of a matched pattern whose last node is `root`:
 * an ai.onnx op name, resolved here from `since` on rather than from the model's
 * opset imports (so a model exported at an older opset still gets the fused op),
 * or an internal op definition.
 */
export function fusedNode(
  root: IrNode, target: string | OpDef<any>, since: number, attrs: Record<string, AttrInit>,
  inputs: readonly string[], parts: readonly IrNode[],
): IrNode {
  return newNode(root.name, target, Math.max(root.opset, since), attrs, inputs, [root.outputs[0]!],
    (op) => `${op.name} fused from ${parts.map((p) => p.desc).join(', ')}`);
}

/**
 * A node running `target` (an ai.onnx op name resolved at `opset`, or an internal op definition
 * at its own version) on `inputs` with attributes `attrs`; `describe` names it for errors.
 */
export function newNode(
  name: string, target: string | OpDef<any>, opset: number, attrs: Record<string, AttrInit>,
  inputs: readonly string[], outputs: readonly string[], describe: (op: OpDef<any>) => string,
): IrNode {
  const internal = typeof target !== 'string';
  const version = internal ? target.since : opset;
  const op = internal ? target : defaultRegistry.resolve('', target, version);
  if (!op) throw new Error(`op ${String(target)} (opset ${version}) is not registered`);
  const desc = describe(op);
  const reader = new AttrReader(desc, Object.entries(attrs).map(([k, v]) => toAttribute(k, v)), () => {
    throw new Error('built nodes have no subgraphs');
  });
  return {
    name, opType: op.name, domain: op.domain, opset: version, op, attrs: op.attrs ? op.attrs(reader, version) : undefined,
    inputs, outputs, desc,
  };
}

/**
 * A source of value names unused in `g` (inputs, initializers, node outputs): `fresh(name)` gives
 * `name` itself when free, else `name.2`, `name.3`…, and reserves what it returns.
 */
export function nameAllocator(g: IrGraph): (name: string) => string {
  const taken = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name)]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) taken.add(o);
  return (name) => {
    let out = name;
    for (let i = 2; taken.has(out); i++) out = `${name}.${i}`;
    taken.add(out);
    return out;
  };
}

/**
 * Replaces each key node (the last node of a matched pattern) by its fused node and
 * drops the other matched nodes. The fused node sits where its last node was: every
 * value it reads was computed before that point.
 */
export function applyFusions(g: IrGraph, fused: ReadonlyMap<IrNode, IrNode>, dropped: ReadonlySet<IrNode>, initializers = g.initializers): IrGraph {
  if (!fused.size) return g;
  const nodes = g.nodes.filter((n) => !dropped.has(n) || fused.has(n)).map((n) => fused.get(n) ?? n);
  return { ...g, nodes, initializers, freeAfter: liveness(nodes, new Set(g.outputs.map((o) => o.name)), initializers) };
}
