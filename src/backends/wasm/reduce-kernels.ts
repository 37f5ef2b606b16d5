/**
 * Reduce* ops, InstanceNormalization, inference BatchNormalization and LRN on the engine (float32).
 * Reductions take the reference's own layout (reduce-plan.ts): merged runs of kept and reduced
 * dims. Each reduced run is folded in one pass over an [outer, red, inner] view, innermost run
 * first; threads split a pass's outputs (rows, or 8-aligned column ranges), never one fold.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import type { LrnAttrs } from '../../ops/reduce/misc-norm.js';
import type { ReduceAttrs } from '../../ops/reduce/reduce-ops.js';
import { axesFromInput, reduceLayout, resolveAxes, splitAxis, type ReduceRun } from '../../ops/reduce/reduce-plan.js';
import { channelParam } from '../../ops/reduce/norm-params.js';
import { optTensorAt } from '../../ops/util/read.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { engineCall } from './engine-call.js';
import { constF32, f32Input } from './io.js';
import type { Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';
import { rowTasks } from './split-rows.js';
import type { Task } from './threads/pool.js';

// Fold and post-processing codes of reduce_f32 (assembly/reduce.ts).
const SUM = 0, SUM_SQ = 1, SUM_ABS = 2, PROD = 3, MAX = 4, MIN = 5, LOG_SUM_EXP = 6;
const NONE = 0, MEAN = 1, SQRT = 2, LOG = 3;

/**
 * Per op: the fold of the first pass, the fold that combines partial results in later passes
 * (log-sum-exp combines with itself), and what is applied to the final result.
 */
const FOLDS: Record<string, readonly [first: number, join: number, post: number]> = {
  ReduceSum: [SUM, SUM, NONE],
  ReduceMean: [SUM, SUM, MEAN],
  ReduceMax: [MAX, MAX, NONE],
  ReduceMin: [MIN, MIN, NONE],
  ReduceProd: [PROD, PROD, NONE],
  ReduceSumSquare: [SUM_SQ, SUM, NONE],
  ReduceL1: [SUM_ABS, SUM, NONE],
  ReduceL2: [SUM_SQ, SUM, SQRT],
  ReduceLogSum: [SUM, SUM, LOG],
  ReduceLogSumExp: [LOG_SUM_EXP, LOG_SUM_EXP, NONE],
};

/** One pass: x viewed as [outer, red, inner] folded over its middle axis. */
interface Pass { readonly outer: number; readonly red: number; readonly inner: number }

/** Passes folding the reduced runs away, innermost first (one identity pass when no dim is reduced). */
export function reducePasses(runs: readonly ReduceRun[]): Pass[] {
  const sizes = runs.map((r) => r.size);
  const reduced = runs.map((r) => r.reduced);
  const passes: Pass[] = [];
  for (let k = runs.length - 1; k >= 0; k--) {
    if (!reduced[k]) continue;
    const outer = sizes.slice(0, k).reduce((p, d) => p * d, 1);
    const inner = sizes.slice(k + 1).reduce((p, d) => p * d, 1);
    passes.push({ outer, red: sizes[k]!, inner });
    sizes.splice(k, 1);
    reduced.splice(k, 1);
  }
  if (passes.length === 0) passes.push({ outer: 1, red: 1, inner: sizes.reduce((p, d) => p * d, 1) });
  return passes;
}

const floatBytes = (n: number): number => Math.ceil(Math.max(n, 1) / 4) * 16;

/** The calls of one pass: whole rows per task, or 8-aligned column ranges when rows are too few. */
function passTasks(engine: Engine, fold: number, post: number, count: number, x: number, y: number, p: Pass): Task[] {
  const { outer, red, inner } = p;
  const parts = taskCount(engine, outer * red * inner, PARALLEL_MIN_ELEMENTS);
  const call = (x0: number, y0: number, rows: number, n: number): Task =>
    ({ fn: 'reduce_f32', args: [fold, post, count, x0, y0, rows, red, inner, n] });
  if (parts > 1 && outer < parts && inner >= 8 * parts) {
    return ranges(inner, parts, 8).map(([j0, j1]) => call(x + j0 * 4, y + j0 * 4, outer, j1 - j0));
  }
  return ranges(outer, parts).map(([o0, o1]) => call(x + o0 * red * inner * 4, y + o0 * inner * 4, o1 - o0, inner));
}

/**
 * Reduce* on float32 (axes from the attribute, a constant or a runtime input); other types,
 * and bad axes (the reference raises), go to the reference kernel.
 */
export function reduceKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const spec = FOLDS[node.opType];
  if (!spec || node.domain !== '') return undefined;
  const [first, join, post] = spec;
  const a = node.attrs as ReduceAttrs;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x) return node.op.run(inputs, attrs, ctx);
    // The reference's own axis rules (and typed errors for bad axes).
    const axes = resolveAxes(a.axes ?? axesFromInput(optTensorAt(inputs, 1, 'axes')), x.dims.length, a.noop);
    if (axes === 'noop') return [x];
    const { outDims, runs } = reduceLayout(x.dims, axes, a.keepdims);
    const outSize = outDims.reduce((p, d) => p * d, 1);
    if (outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const passes = reducePasses(runs);
    const count = runs.reduce((p, r) => (r.reduced ? p * r.size : p), 1);
    // Intermediate results of all passes but the last, each in its own region of the work area.
    const mids = passes.slice(0, -1).map((p) => floatBytes(p.outer * p.inner));
    const workBytes = mids.reduce((s, b) => s + b, 0);
    const [y] = engineCall(engine, scratch, { node, g, inputs: [x], outputs: [outDims], workBytes }, ([xPtr], [yPtr], work) => {
      let src = xPtr!;
      let at = work;
      passes.forEach((p, i) => {
        const last = i === passes.length - 1;
        const dst = last ? yPtr! : at;
        if (!last) at += mids[i]!;
        engine.parallel(passTasks(engine, i === 0 ? first : join, last ? post : NONE, count, src, dst, p));
        src = dst;
      });
    });
    return [y!];
  };
}

/** The constant float32 initializer named by input i of the node, or undefined. */
function constInput(g: IrGraph, node: IrNode, i: number): Tensor | undefined {
  const t = node.inputs[i] ? g.initializers.get(node.inputs[i]!) : undefined;
  return t && t.type === 'float32' ? t : undefined;
}

/**
 * Two per-channel tables copied into engine memory once, when every parameter is a constant
 * (otherwise the kernels pass the run's tables in with the activation).
 */
interface ChannelTables {
  readonly fixed: readonly [number, number];
  readonly channels: number;
}

function fixedTables(engine: Engine, ts: readonly [Tensor, Tensor]): ChannelTables {
  return { fixed: [constF32(engine, ts[0]), constF32(engine, ts[1])], channels: ts[0].size };
}

/**
 * Runs `fn` over the N·C planes of x with the two per-channel tables (engine addresses), the
 * output left resident; `tables` are passed in when they are not fixed in the engine.
 */
function runPlanes(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph, x: Tensor, fixed: readonly [number, number] | undefined,
  tables: readonly [Tensor, Tensor] | undefined, fn: string, extra: readonly number[]): Tensor {
  const C = x.dims[1]!;
  const [N, , S] = splitAxis(x.dims, 1);
  const [y] = engineCall(engine, scratch, { node, g, inputs: [x, ...(tables ?? [])], outputs: [x.dims] }, ([xp, t0, t1], [yp]) => {
    const [a, b] = fixed ?? [t0!, t1!];
    rowTasks(engine, N * C, N * C * S, (p0, p1) => ({
      fn, args: [xp! + p0 * S * 4, yp! + p0 * S * 4, p1 - p0, S, C, p0 % C, a, b, ...extra],
    }), 1, PARALLEL_MIN_ELEMENTS);
  });
  return y!;
}

/** Channel count of an [N, C, ...] float32 input the plane kernels take, or undefined. */
function planeChannels(x: Tensor | undefined): number | undefined {
  return x && x.dims.length >= 2 && x.size > 0 ? x.dims[1] : undefined;
}

/** InstanceNormalization: per (n, c) plane, mean then variance then scale and bias (constant or per run). */
export function instanceNormKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const { eps } = node.attrs as { eps: number };
  const scale = constInput(g, node, 1), bias = constInput(g, node, 2);
  const consts = scale && bias && scale.size === bias.size ? fixedTables(engine, [scale, bias]) : undefined;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const C = planeChannels(x);
    if (consts) {
      if (C === undefined || C !== consts.channels) return node.op.run(inputs, attrs, ctx);
      return [runPlanes(engine, scratch, node, g, x!, consts.fixed, undefined, 'instancenorm_f32', [eps])];
    }
    const s = f32Input(inputs[1]), b = f32Input(inputs[2]);
    if (C === undefined || !s || !b || s.size !== C || b.size !== C) return node.op.run(inputs, attrs, ctx);
    return [runPlanes(engine, scratch, node, g, x!, undefined, [s, b], 'instancenorm_f32', [eps])];
  };
}

/** LRN: each plane reads its window of neighbouring channel planes; threads take ranges of planes. */
export function lrnKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const { alpha, beta, bias, size } = node.attrs as LrnAttrs;
  const before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const C = planeChannels(x);
    if (C === undefined) return node.op.run(inputs, attrs, ctx);
    const [N, , S] = splitAxis(x!.dims, 1);
    const [y] = engineCall(engine, scratch, { node, g, inputs: [x!], outputs: [x!.dims] }, ([xp], [yp]) => {
      rowTasks(engine, N * C, N * C * S * size, (p0, p1) => ({
        fn: 'lrn_f32', args: [xp!, yp!, p0, p1 - p0, S, C, before, after, alpha / size, bias, beta],
      }), 1, PARALLEL_MIN_ELEMENTS);
    });
    return [y!];
  };
}

interface BNAttrs { eps: number; spatial: boolean; training: boolean | 'by-outputs' }

/** BatchNormalization's per-channel y = x·a + b from scale, B, mean and variance (the reference's param checks). */
function bnTables(params: readonly Tensor[], C: number, eps: number): [Tensor, Tensor] {
  const [scale, bias, mean, vari] = params.map((t, i) => channelParam(t, C, ['scale', 'B', 'input_mean', 'input_var'][i]!));
  const a = new Float32Array(C), b = new Float32Array(C);
  for (let k = 0; k < C; k++) {
    const s = scale![k]! / Math.sqrt(vari![k]! + eps);
    a[k] = s;
    b[k] = bias![k]! - mean![k]! * s;
  }
  return [new Tensor('float32', a, [C]), new Tensor('float32', b, [C])];
}

/** Inference BatchNormalization: y = x·a[c] + b[c], a and b folded once here when the parameters are constants. */
export function batchNormKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const { eps, spatial, training } = node.attrs as BNAttrs;
  if (training === true || !spatial) return undefined;
  const params = [1, 2, 3, 4].map((i) => constInput(g, node, i));
  const C0 = params[0]?.size ?? 0;
  const consts = params.every((t) => t && t.size === C0) && C0 > 0 ? fixedTables(engine, bnTables(params as Tensor[], C0, eps)) : undefined;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const C = planeChannels(x);
    // 'by-outputs' (opsets before 14): asking for the running statistics means training.
    if (C === undefined || (training === 'by-outputs' && ctx.numOutputs > 1)) return node.op.run(inputs, attrs, ctx);
    if (consts) {
      if (C !== consts.channels) return node.op.run(inputs, attrs, ctx);
      return [runPlanes(engine, scratch, node, g, x!, consts.fixed, undefined, 'channel_affine_f32', [])];
    }
    const ps = [1, 2, 3, 4].map((i) => f32Input(inputs[i]));
    if (ps.some((t) => !t || t.size !== C)) return node.op.run(inputs, attrs, ctx);
    return [runPlanes(engine, scratch, node, g, x!, undefined, bnTables(ps as Tensor[], C, eps), 'channel_affine_f32', [])];
  };
}
