/**
 * Fuses Conv → [Add(residual)] → [Relu / Clip (constant bounds)] into one
 * FusedConv node when each intermediate has no other reader, so a backend adds
 * the residual and applies the activation while storing the Conv's output
 * instead of making more passes over memory (every ResNet block ends in
 * Conv → Add → Relu).
 */
import { FusedConv, NO_ACTIVATION, type FusedConvAttrs } from '../../ops/nn/fused-conv.js';
import type { ConvAttrs } from '../../ops/nn/conv.js';
import { toNumbers } from '../../ops/util/read.js';
import type { IrGraph, IrNode } from '../ir.js';
import { applyFusions, GraphIndex } from './match.js';

type Activation = Pick<FusedConvAttrs, 'activation' | 'lo' | 'hi'>;

export function fuseActivations(g: IrGraph): IrGraph {
  const idx = new GraphIndex(g);
  const producer = idx.producer;
  const single = (name: string) => idx.uses.get(name) === 1;
  /** The Relu/Clip that alone reads `name`, with its bounds. */
  const activationAfter = (name: string): { node: IrNode; act: Activation } | undefined => {
    const n = idx.soleReader(name, 'Relu', 'Clip');
    if (!n || n.inputs[0] !== name || !n.outputs[0]) return undefined;
    if (n.opType === 'Relu') return { node: n, act: { activation: 'Relu', lo: 0, hi: Infinity } };
    const b = n.opType === 'Clip' ? clipBounds(n, g) : undefined;
    return b && { node: n, act: { activation: 'Clip', ...b } };
  };
  const isConv = (n: IrNode | undefined): n is IrNode => !!n && n.opType === 'Conv' && n.domain === '';

  // Each fused node takes the place of the last node it absorbs; the others are dropped.
  const replaced = new Map<IrNode, IrNode>();
  const dropped = new Set<IrNode>();
  const fuse = (conv: IrNode, at: IrNode, absorbed: IrNode[], residual: string | undefined, act: Activation, output: string) => {
    const inputs = residual === undefined ? conv.inputs : [conv.inputs[0]!, conv.inputs[1]!, conv.inputs[2] ?? '', residual];
    const attrs: FusedConvAttrs = { ...(conv.attrs as ConvAttrs), ...act };
    replaced.set(at, {
      ...conv, opType: 'FusedConv', domain: 'com.wasmnn', op: FusedConv as IrNode['op'], attrs, inputs,
      outputs: [output], desc: [conv, ...absorbed].map((n) => n.desc).join(' + '),
    });
    for (const n of [conv, ...absorbed]) if (n !== at) dropped.add(n);
  };
  const taken = (n: IrNode) => replaced.has(n) || dropped.has(n);

  for (const add of g.nodes) {
    // Add from opset 7 on (earlier versions have legacy broadcast attributes).
    if (add.opType !== 'Add' || add.domain !== '' || add.opset < 7 || !add.outputs[0] || add.inputs.length !== 2) continue;
    const [a, b] = add.inputs as [string, string];
    if (!a || !b || a === b) continue;
    const side = [a, b].findIndex((v) => isConv(producer.get(v)) && single(v) && !taken(producer.get(v)!));
    if (side < 0) continue;
    const conv = producer.get(side === 0 ? a : b)!;
    const residual = side === 0 ? b : a;
    const after = activationAfter(add.outputs[0]);
    if (after) fuse(conv, after.node, [add, after.node], residual, after.act, after.node.outputs[0]!);
    else fuse(conv, add, [add], residual, NO_ACTIVATION, add.outputs[0]);
  }
  for (const conv of g.nodes) {
    if (!isConv(conv) || taken(conv) || !conv.outputs[0]) continue;
    const after = activationAfter(conv.outputs[0]);
    if (after && !taken(after.node)) fuse(conv, conv, [after.node], undefined, after.act, after.node.outputs[0]!);
  }
  return applyFusions(g, replaced, dropped);
}

/** Clip's bounds: attributes before opset 11, constant inputs after; undefined when not constant. */
function clipBounds(n: IrNode, g: IrGraph): { lo: number; hi: number } | undefined {
  if (n.opset < 11) {
    const a = n.attrs as { min: number; max: number };
    return { lo: a.min, hi: a.max };
  }
  const read = (i: number, def: number): number | undefined => {
    const name = n.inputs[i];
    if (!name) return def;
    const t = g.initializers.get(name);
    return t && t.size === 1 && (t.type === 'float32' || t.type === 'float16') ? toNumbers(t)[0] : undefined;
  };
  const lo = read(1, -Infinity), hi = read(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : { lo, hi };
}
