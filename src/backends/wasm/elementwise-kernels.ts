/**
 * Elementwise float32 ops on the engine: activations (unary_f32) and Add/Sub/Mul/Div
 * (binary_f32) over the reference's collapsed broadcast plan when it has at most
 * three loop dims. A constant operand is copied into engine memory once. Large jobs
 * are cut into ranges of outputs spread over the engine's threads (see split-rows.ts).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { BinaryAttrs } from '../../ops/binary/table.js';
import { planBroadcast } from '../../ops/binary/broadcast.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import { engineCall } from './engine-call.js';
import type { Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS, PARALLEL_MIN_WORK } from './split.js';
import { rowTasks } from './split-rows.js';

/** Op codes of unary_f32 (assembly/elementwise.ts), with how each reads its two parameters from the node. */
const UNARY_OPS: Record<string, { code: number; params?: (p: readonly unknown[]) => [number, number] }> = {
  Relu: { code: 0 },
  LeakyRelu: { code: 1, params: (p) => [p[0] as number, 0] },
  HardSigmoid: { code: 3, params: (p) => [p[0] as number, p[1] as number] },
  HardSwish: { code: 4 },
  Sigmoid: { code: 5 },
  Tanh: { code: 6 },
  Gelu: { code: 7 }, // code 9 when approximate="tanh"
  Exp: { code: 8 },
  Erf: { code: 10 },
};

/**
 * When a unary job splits: the transcendental activations (about 30 operations per element)
 * from PARALLEL_MIN_WORK operations, the rest, memory-bound, from PARALLEL_MIN_ELEMENTS elements.
 */
const unaryWork = (code: number, n: number): [number, number] => (code >= 5 ? [n * 32, PARALLEL_MIN_WORK] : [n, PARALLEL_MIN_ELEMENTS]);

/** A unary_f32 op with its two parameters. */
export interface UnaryAct { code: number; p0: number; p1: number }

/** The unary_f32 op running `opType` with the node's parsed attributes, or undefined when the engine has none. */
export function unaryAct(opType: string, attrs: unknown): UnaryAct | undefined {
  const row = UNARY_OPS[opType];
  if (!row) return undefined;
  const p = attrs as readonly unknown[];
  const [p0, p1] = row.params?.(p) ?? [0, 0];
  return { code: opType === 'Gelu' && p[0] === 1 ? 9 : row.code, p0, p1 };
}

/** y = act(x) for n floats in engine memory (y may be x), split over the engine's threads when large. */
export function unaryTasks(engine: Engine, act: UnaryAct, x: number, y: number, n: number): void {
  const { code, p0, p1 } = act;
  // Ranges start at multiples of 8 floats, so every task but the last runs whole vectors.
  const [work, min] = unaryWork(code, n);
  rowTasks(engine, n, work, (i0, i1) => ({ fn: 'unary_f32', args: [code, x + i0 * 4, y + i0 * 4, i1 - i0, p0, p1] }), 8, min);
}

function runUnary(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph, x: Tensor, act: UnaryAct): Tensor {
  const [y] = engineCall(engine, scratch, { node, g, inputs: [x], outputs: [x.dims] }, ([xPtr], [yPtr]) => unaryTasks(engine, act, xPtr!, yPtr!, x.size));
  return y!;
}

export function unaryKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const act = unaryAct(node.opType, node.attrs);
  if (!act) return undefined;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.size === 0) return node.op.run(inputs, attrs, ctx);
    return [runUnary(engine, scratch, node, g, x, act)];
  };
}

/** A scalar float32 bound of Clip (opset ≥ 11), or the default; undefined when not a float32 scalar. */
function bound(v: unknown, def: number): number | undefined {
  if (v === undefined) return def;
  const t = f32Input(v as Tensor);
  if (!t || t.size > 1) return undefined;
  return t.size === 0 ? def : (t.data as Float32Array)[0]!;
}

export function clipKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  const legacy = node.attrs as { min: number; max: number } | undefined;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const lo = legacy ? Math.fround(legacy.min) : bound(inputs[1], -Infinity);
    const hi = legacy ? Math.fround(legacy.max) : bound(inputs[2], Infinity);
    if (!x || x.size === 0 || lo === undefined || hi === undefined) return node.op.run(inputs, attrs, ctx);
    return [runUnary(engine, scratch, node, g, x, { code: 2, p0: lo, p1: hi })];
  };
}

const BINARY_OPS: Record<string, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3 };

export type Loop3 = [number, number, number];

/**
 * binary_f32 over the loop [d0, d1, n], split along the outermost loop dim longer than 1: a range
 * of it offsets a, b and y by that dim's strides (the inner dim n in steps of 8 floats).
 */
export function binaryTasks(engine: Engine, code: number, a: number, b: number, y: number, loop: Loop3, sa: Loop3, sb: Loop3): void {
  const axis = loop[0] > 1 ? 0 : loop[1] > 1 ? 1 : 2;
  const yStride = axis === 0 ? loop[1] * loop[2] : axis === 1 ? loop[2] : 1;
  const size = loop[0] * loop[1] * loop[2];
  rowTasks(engine, loop[axis], size, (r0, r1) => {
    const l = loop.slice() as Loop3;
    l[axis] = r1 - r0;
    return {
      fn: 'binary_f32',
      args: [code, a + r0 * sa[axis] * 4, b + r0 * sb[axis] * 4, y + r0 * yStride * 4, l[0], l[1], l[2], sa[0], sa[1], sa[2], sb[0], sb[1], sb[2]],
    };
  }, axis === 2 ? 8 : 1, PARALLEL_MIN_ELEMENTS);
}

export function binaryKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const code = BINARY_OPS[node.opType];
  const at = node.attrs as BinaryAttrs;
  if (code === undefined || at.axis !== undefined) return undefined;
  // Constant operands live in engine memory for the whole session.
  const consts = [0, 1].map((i) => {
    const t = g.initializers.get(node.inputs[i] ?? '');
    return t && t.type === 'float32' ? { t, ptr: constF32(engine, t) } : undefined;
  });
  return (inputs, attrs, ctx) => {
    const a = f32Input(inputs[0]), b = f32Input(inputs[1]);
    if (!a || !b) return node.op.run(inputs, attrs, ctx);
    const plan = planBroadcast([a.dims, b.dims]);
    // Short inner runs (e.g. [N, C, H, 1] operands) would run the kernel's scalar tails only.
    const inner = plan.loop[plan.loop.length - 1]!;
    if (plan.loop.length > 3 || plan.size === 0 || (inner < 8 && plan.size > inner)) return node.op.run(inputs, attrs, ctx);
    const ca = consts[0]?.t === a ? consts[0].ptr : 0, cb = consts[1]?.t === b ? consts[1].ptr : 0;
    // Left-pad the collapsed loop to three dims [d0, d1, n] (extra dims: size 1, stride 0).
    const lead = 3 - plan.loop.length;
    const loop = [0, 1, 2].map((i) => (i < lead ? 1 : plan.loop[i - lead]!));
    const [sa, sb] = plan.strides.map((st) => [0, 1, 2].map((i) => (i < lead ? 0 : st[i - lead]!))) as [number[], number[]];
    const [y] = engineCall(engine, scratch, { node, g, inputs: [ca ? undefined : a, cb ? undefined : b], outputs: [plan.dims] }, ([aPtr, bPtr], [yPtr]) =>
      binaryTasks(engine, code, ca || aPtr!, cb || bPtr!, yPtr!, loop as Loop3, sa as Loop3, sb as Loop3));
    return [y!];
  };
}
