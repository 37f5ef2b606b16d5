import { KernelError, OpError, WasmnnError } from '../errors.js';
import type { IrGraph, IrNode } from '../graph/ir.js';
import type { CompiledGraph, Kernel, KernelContext } from '../ops/op.js';
import { Tensor } from '../tensor.js';
import type { Value } from '../values.js';

/** Picks the kernel for a node; backends override ops they accelerate. */
export interface KernelProvider {
  kernelFor(node: IrNode, g: IrGraph): Kernel<unknown>;
}

/**
 * Per-op-type wall time, collected when WASMNN_PROFILE is set (Node) so kernel work can be
 * aimed at what dominates; the session prints it after each run.
 */
export const opProfile: Map<string, { ms: number; calls: number }> | undefined =
  typeof process !== 'undefined' && process.env?.WASMNN_PROFILE ? new Map() : undefined;

/** WASMNN_PROFILE=node: one row per node (op, name, output dims) instead of per op type. */
const profileByNode = typeof process !== 'undefined' && process.env?.WASMNN_PROFILE === 'node';

function profileKey(node: IrNode, outs: readonly Value[]): string {
  if (!profileByNode) return node.opType;
  const y = outs[0];
  return `${node.opType} ${node.name}${y instanceof Tensor ? ` → [${y.dims.join(',')}]` : ''}`;
}

/** Scope chain: a subgraph reads names it does not define from its enclosing run. */
interface Scope {
  lookup(name: string): Value | undefined;
}

/**
 * Runs a graph on the CPU, node by node in topological order, dropping each
 * intermediate after its last reader. State lives in the call, so a failed run
 * leaves nothing behind.
 */
export function executeGraph(g: IrGraph, feeds: ReadonlyMap<string, Value>, provider: KernelProvider, outer?: Scope): Map<string, Value> {
  const env = new Map<string, Value>(feeds);
  const lookup = (name: string): Value | undefined => env.get(name) ?? g.initializers.get(name) ?? outer?.lookup(name);
  const scope: Scope = { lookup };
  const nodes = g.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const inputs = node.inputs.map((n) => {
      if (n === '') return undefined;
      const v = lookup(n);
      if (v === undefined) throw new KernelError(node.desc, `input "${n}" has no value (an optional graph input that was not fed?)`);
      return v;
    });
    const t0 = opProfile ? performance.now() : 0;
    const outs = runNode(node, g, inputs, provider, scope);
    if (opProfile) {
      const key = profileKey(node, outs);
      const e = opProfile.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      opProfile.set(key, e);
    }
    for (let k = 0; k < node.outputs.length; k++) {
      const name = node.outputs[k]!;
      if (name === '') continue;
      const v = outs[k];
      if (v === undefined) throw new KernelError(node.desc, `produced no value for output ${k} ("${name}")`);
      env.set(name, v);
    }
    for (const dead of g.freeAfter[i]!) env.delete(dead);
  }
  const result = new Map<string, Value>();
  for (const o of g.outputs) {
    const v = lookup(o.name);
    if (v === undefined) throw new KernelError(`graph "${g.name}"`, `output "${o.name}" was not computed`);
    result.set(o.name, v);
  }
  return result;
}

function runNode(node: IrNode, g: IrGraph, inputs: (Value | undefined)[], provider: KernelProvider, scope: Scope): Value[] {
  const ctx: KernelContext = {
    node: node.desc,
    opset: node.opset,
    numOutputs: node.outputs.length,
    outputRequested: (i) => (node.outputs[i] ?? '') !== '',
    runGraph: (sub: CompiledGraph, subInputs) => runSubgraph(sub as IrGraph, subInputs, provider, scope),
  };
  try {
    const outs = provider.kernelFor(node, g)(inputs, node.attrs, ctx);
    if (!Array.isArray(outs)) throw new KernelError(node.desc, 'kernel returned no output list');
    return outs;
  } catch (e) {
    if (e instanceof WasmnnError) throw e;
    if (e instanceof OpError) throw new KernelError(node.desc, e.message, { cause: e });
    const msg = e instanceof Error ? e.message : String(e);
    throw new KernelError(node.desc, `failed: ${msg}`, { cause: e });
  }
}

/** Runs a subgraph (If/Loop/Scan body), binding its formal inputs by position. */
export function runSubgraph(g: IrGraph, inputs: readonly (Value | undefined)[], provider: KernelProvider, outer?: Scope): Value[] {
  const feeds = new Map<string, Value>();
  g.inputs.forEach((inp, i) => {
    const v = inputs[i];
    if (v !== undefined) feeds.set(inp.name, v);
  });
  const out = executeGraph(g, feeds, provider, outer);
  return g.outputs.map((o) => out.get(o.name)!);
}

export { Tensor };
export { OpError };
