/** Softmax and LayerNormalization over the last axis on the engine (float32), rows split over the engine's threads. */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import { engineCall } from './engine-call.js';
import type { Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS } from './split.js';
import { rowTasks } from './split-rows.js';

/** Element operations per input element, roughly (for {@link rowTasks}): softmax has an exp; layer norm is memory-bound. */
export const SOFTMAX_COST = 24;

export function softmaxKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  const { axis } = node.attrs as { axis: number };
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const rank = x?.dims.length ?? 0;
    // Only the last axis: there the opset < 13 (coerce to 2-D) and ≥ 13 meanings agree.
    if (!x || rank === 0 || x.size === 0 || (axis < 0 ? axis + rank : axis) !== rank - 1) return node.op.run(inputs, attrs, ctx);
    const n = x.dims[rank - 1]!;
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs: [x.dims] }, ([base], [y]) =>
      rowTasks(engine, x.size / n, x.size * SOFTMAX_COST, (r0, r1) => ({ fn: 'softmax_f32', args: [base! + r0 * n * 4, y! + r0 * n * 4, r1 - r0, n] })));
  };
}

/** A parameter of n elements constant over rows (any shape of n elements, e.g. [n] or [1, n]). */
function rowParam(t: Tensor | undefined, n: number): boolean {
  return !!t && t.type === 'float32' && t.size === n && t.dims[t.dims.length - 1] === n;
}

export function layerNormKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const { axis, epsilon } = node.attrs as { axis: number; epsilon: number };
  const scale = g.initializers.get(node.inputs[1] ?? '');
  const bias = node.inputs[2] ? g.initializers.get(node.inputs[2]) : undefined;
  if (!scale || (node.inputs[2] && !bias)) return undefined;
  const n = scale.dims[scale.dims.length - 1] ?? 1;
  if (!rowParam(scale, n) || (bias && !rowParam(bias, n))) return undefined;
  const sPtr = constF32(engine, scale);
  const bPtr = bias ? constF32(engine, bias) : 0;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const rank = x?.dims.length ?? 0;
    const stats = ctx.numOutputs > 1 && (ctx.outputRequested(1) || ctx.outputRequested(2));
    if (!x || rank === 0 || x.size === 0 || stats || (axis < 0 ? axis + rank : axis) !== rank - 1 || x.dims[rank - 1] !== n) {
      return node.op.run(inputs, attrs, ctx);
    }
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs: [x.dims] }, ([base], [y]) =>
      rowTasks(engine, x.size / n, x.size, (r0, r1) => ({
        fn: 'layernorm_f32', args: [base! + r0 * n * 4, y! + r0 * n * 4, r1 - r0, n, sPtr, bPtr, epsilon],
      }), 1, PARALLEL_MIN_ELEMENTS));
  };
}
