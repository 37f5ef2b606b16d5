/** ReduceSum, ReduceMean, ReduceMax… — one table row per op, all run by the shared engine. */
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp, type OpDef } from '../op.js';
import { constInts, reduceDims, shapeOf, tensorType, type Rule } from '../util/infer-rules.js';
import { optTensorAt, tensorAt } from '../util/read.js';
import { normalizeAxes } from '../util/shape.js';
import { REDUCE_FORMULAS, runReduction } from './reduce-engine.js';
import { axesFromInput, planReduce, resolveAxes } from './reduce-plan.js';

/** Opset in which each op's `axes` moved from an attribute to an input. */
const AXES_INPUT_SINCE: Record<string, number> = {
  ReduceSum: 13, ReduceMean: 18, ReduceMax: 18, ReduceMin: 18, ReduceProd: 18,
  ReduceL1: 18, ReduceL2: 18, ReduceLogSum: 18, ReduceLogSumExp: 18, ReduceSumSquare: 18,
};

/** Attributes of every Reduce* op (axes from the attribute before the op's axes-input opset). */
export interface ReduceAttrs { keepdims: boolean; axes: number[] | undefined; noop: boolean }

function reduce(name: string, x: Tensor, axes: number[] | undefined, a: ReduceAttrs): Tensor {
  if (x.type === 'string') throw new OpError(`${name} does not accept string tensors`);
  const resolved = resolveAxes(axes, x.dims.length, a.noop);
  // noop_with_empty_axes: the input passes through unchanged.
  if (resolved === 'noop') return x;
  return runReduction(x, planReduce(x.dims, resolved, a.keepdims), REDUCE_FORMULAS[name]!);
}

/**
 * Output type of a reduction: axes from the attribute, or from input 1 when it is a
 * constant or absent; otherwise only what holds for every axes value.
 */
const inferReduce = (axesInput: boolean): Rule<ReduceAttrs> => (ins, a, ctx) => {
  const x = ins[0];
  const elem = x?.kind === 'tensor' ? x.elemType : undefined;
  const shape = shapeOf(x);
  if (!shape) return [tensorType(elem, undefined)];
  const axes = !axesInput ? (a.axes ?? []) : ins.length > 1 ? constInts(ctx, 1) : [];
  if (axes) {
    if (axes.length === 0 && a.noop) return [tensorType(elem, shape)];
    return [tensorType(elem, reduceDims(shape, normalizeAxes(axes, shape.length), a.keepdims))];
  }
  // Unknown axes: with keepdims the rank stays and size-1 dims stay 1 whichever axes are reduced.
  const count = shapeOf(ins[1])?.[0];
  if (count === 0) return [tensorType(elem, a.noop ? shape : reduceDims(shape, [], a.keepdims))];
  if (a.keepdims) return [tensorType(elem, shape.map((d) => (d === 1 ? 1 : undefined)))];
  if (typeof count === 'number' && count <= shape.length) return [tensorType(elem, new Array(shape.length - count).fill(undefined))];
  return [tensorType(elem, undefined)];
};

function defsFor(name: string): OpDef<ReduceAttrs>[] {
  const since = AXES_INPUT_SINCE[name]!;
  return [
    defineOp<ReduceAttrs>({
      name,
      since: 1,
      halfAsFloat: true,
      attrs: (a) => ({ keepdims: a.int('keepdims', 1) !== 0, axes: a.has('axes') ? a.ints('axes') : undefined, noop: false }),
      run: (inputs, a) => [reduce(name, tensorAt(inputs, 0, 'data'), a.axes, a)],
      infer: inferReduce(false),
    }),
    defineOp<ReduceAttrs>({
      name,
      since,
      halfAsFloat: true,
      attrs: (a) => ({ keepdims: a.int('keepdims', 1) !== 0, axes: undefined, noop: a.int('noop_with_empty_axes', 0) !== 0 }),
      run: (inputs, a) => [reduce(name, tensorAt(inputs, 0, 'data'), axesFromInput(optTensorAt(inputs, 1, 'axes')), a)],
      infer: inferReduce(true),
    }),
  ];
}

/** Every Reduce* op definition (attribute-axes and input-axes versions). */
export const reduceOps: OpDef<ReduceAttrs>[] = Object.keys(AXES_INPUT_SINCE).flatMap(defsFor);
