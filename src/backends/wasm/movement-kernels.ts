/**
 * float32 data movement on the engine: Concat, Split, Slice, Pad and Gather read their inputs
 * where earlier engine kernels left them and leave their outputs resident (engineCall), so
 * chains of engine kernels through these ops copy nothing to JavaScript. Shapes, axes, pads and
 * indices come from the ops' own plans (src/ops/tensor); the engine only copies. Other types,
 * rank 0 and anything a plan rejects go to (or raise as) the reference kernel, and so do
 * Concat, Split and Gather on data that is not engine-resident (see isResident).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { concatPlan, splitBlocks, splitPlan, type SplitAttrs } from '../../ops/tensor/concat-split.js';
import { gatherPlan } from '../../ops/tensor/gather.js';
import { padArgs, padPlan, type PadAttrs } from '../../ops/tensor/pad.js';
import { sliceInputs, slicePlan, type SliceView } from '../../ops/tensor/slice.js';
import { coalesceView } from '../../ops/tensor/strided-copy.js';
import { tensorAt } from '../../ops/util/read.js';
import { rowSources } from '../../ops/util/row-sources.js';
import { stridesOf } from '../../ops/util/shape.js';
import type { Tensor } from '../../tensor.js';
import { engineCall } from './engine-call.js';
import { residencyOf } from './resident.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import type { Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';
import { rowTasks } from './split-rows.js';
import type { Task } from './threads/pool.js';

/** A block copy (copy_rows_f32): `rows` runs of `cols` floats, row strides in floats. */
interface Block { x: number; ldx: number; y: number; ldy: number; rows: number; cols: number }

const copyTask = (b: Block): Task => ({ fn: 'copy_rows_f32', args: [b.x, b.ldx, b.y, b.ldy, b.rows, b.cols] });

/**
 * Runs block copies, cut (when the total repays threads) into pieces proportional to each
 * block's size: by rows, or by column ranges of each row when a block has fewer rows than pieces.
 */
function runBlocks(engine: Engine, blocks: readonly Block[]): void {
  const total = blocks.reduce((s, b) => s + b.rows * b.cols, 0);
  const parts = taskCount(engine, total, PARALLEL_MIN_ELEMENTS);
  const tasks: Task[] = [];
  for (const b of blocks) {
    const size = b.rows * b.cols;
    if (size === 0) continue;
    const pieces = parts > 1 ? Math.max(1, Math.round((parts * size) / total)) : 1;
    if (pieces === 1) tasks.push(copyTask(b));
    else if (b.rows >= pieces) {
      for (const [r0, r1] of ranges(b.rows, pieces)) tasks.push(copyTask({ ...b, x: b.x + r0 * b.ldx * 4, y: b.y + r0 * b.ldy * 4, rows: r1 - r0 }));
    } else {
      const cuts = ranges(b.cols, Math.ceil(pieces / b.rows), 4);
      for (let r = 0; r < b.rows; r++) {
        for (const [c0, c1] of cuts) tasks.push(copyTask({ ...b, x: b.x + (r * b.ldx + c0) * 4, y: b.y + (r * b.ldy + c0) * 4, rows: 1, cols: c1 - c0 }));
      }
    }
  }
  if (parts > 1) engine.parallel(tasks);
  else engine.serial(tasks);
}

/**
 * Whether t is a float32 activation an engine kernel left in engine memory. Concat, Split and
 * Gather are single memcpy-like passes: on data already in JavaScript the reference kernel's
 * typed-array copies cost less than copying in and running the engine (measured 0.6–0.75×),
 * so they use the engine only to keep resident activations resident.
 */
const isResident = (engine: Engine, t: Tensor | undefined): boolean => residencyOf(engine).find(t) !== undefined;

/** Concat: each input's outer × (dim·inner) blocks copied into its column band of the output rows. */
export function concatKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const xs = inputs.map(f32Input);
    if (xs.length === 0 || xs.some((x) => !x) || xs[0]!.dims.length === 0 || !xs.some((x) => isResident(engine, x))) {
      return node.op.run(inputs, attrs, ctx);
    }
    const { dims, ax, outer, inner } = concatPlan(xs as Tensor[], (attrs as { axis: number }).axis);
    const ldy = dims[ax]! * inner;
    return engineCall(engine, scratch, { node, g, inputs: xs, outputs: [dims] }, (ptrs, [y]) => {
      let col = 0;
      runBlocks(engine, xs.map((x, i) => {
        const cols = x!.dims[ax]! * inner;
        const b = { x: ptrs[i]!, ldx: cols, y: y! + col * 4, ldy, rows: outer, cols };
        col += cols;
        return b;
      }));
    });
  };
}

/** Split: each output's column band of the input rows copied out, all outputs from one call. */
export function splitKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const x0 = f32Input(inputs[0]);
    if (!x0 || x0.dims.length === 0 || !isResident(engine, x0)) return node.op.run(inputs, attrs, ctx);
    const { x, ax, sizes } = splitPlan(inputs, attrs as SplitAttrs, ctx.numOutputs);
    const { outer, inner } = splitBlocks(x.dims, ax, sizes);
    const ldx = x.dims[ax]! * inner;
    const outputs = sizes.map((s) => x.dims.map((d, i) => (i === ax ? s : d)));
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs }, ([xp], ys) => {
      let col = 0;
      runBlocks(engine, sizes.map((s, i) => {
        const b = { x: xp! + col * 4, ldx, y: ys[i]!, ldy: s * inner, rows: outer, cols: s * inner };
        col += s * inner;
        return b;
      }));
    });
  };
}

/**
 * Copies a strided view of x (element strides, possibly negative) into y. Coalesced to one or two
 * dims with a contiguous inner run it is a block copy; up to four dims one transpose_f32 (a
 * strided copy) split by its first dim; more dims one transpose_f32 per block of the last four.
 */
function stridedCopy(engine: Engine, x: number, view: SliceView, y: number): void {
  const c = coalesceView(view.dims, view.strides);
  if (!c) return;
  const { dims, strides } = c;
  const k = dims.length;
  const size = dims.reduce((p, d) => p * d, 1);
  if (k === 0 || (k <= 2 && strides[k - 1] === 1)) {
    const cols = k === 0 ? 1 : dims[k - 1]!;
    runBlocks(engine, [{ x, ldx: k === 2 ? strides[0]! : cols, y, ldy: cols, rows: k === 2 ? dims[0]! : 1, cols }]);
    return;
  }
  if (k <= 4) {
    // Unit dims go after the first, so rows split on a real axis.
    const fill = 4 - k;
    const d = [dims[0]!, ...new Array<number>(fill).fill(1), ...dims.slice(1)];
    const s = [strides[0]!, ...new Array<number>(fill).fill(0), ...strides.slice(1)];
    rowTasks(engine, d[0]!, size, (r0, r1) => ({ fn: 'transpose_f32', args: [x, y, ...d, ...s, r0, r1] }), 1, PARALLEL_MIN_ELEMENTS);
    return;
  }
  const lead = dims.slice(0, k - 4), d = dims.slice(k - 4), s = strides.slice(k - 4);
  const block = d.reduce((p, v) => p * v, 1);
  const tasks: Task[] = [];
  const counter = new Array<number>(lead.length).fill(0);
  for (let q = 0, off = 0; q < size; q += block) {
    tasks.push({ fn: 'transpose_f32', args: [x + off * 4, y + q * 4, ...d, ...s, 0, d[0]!] });
    for (let i = lead.length - 1; i >= 0; i--) {
      off += strides[i]!;
      if (++counter[i]! < lead[i]!) break;
      counter[i] = 0;
      off -= strides[i]! * lead[i]!;
    }
  }
  if (taskCount(engine, size, PARALLEL_MIN_ELEMENTS) > 1) engine.parallel(tasks);
  else engine.serial(tasks);
}

/** Slice (both forms): the op's strided view of the input, copied (see stridedCopy). */
export function sliceKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x) return node.op.run(inputs, attrs, ctx);
    // Slice-1..9 takes starts/ends/axes as attributes, Slice-10+ as inputs.
    const at = attrs as { starts?: number[]; ends?: number[]; axes?: number[] } | undefined;
    const view = at?.starts ? slicePlan(x.dims, at.starts, at.ends!, at.axes, undefined) : sliceInputs(inputs).view;
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs: [view.dims] }, ([xp], [y]) => stridedCopy(engine, xp! + view.offset * 4, view, y!));
  };
}

/** The 32-bit pattern of a float32 value (pad_rows_f32 stores it as is). */
const f32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0]!;

/** Pad, every mode: rows mapped through the op's per-axis source maps; columns copied as one run between the pads. */
export function padKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  return (inputs, attrs, ctx) => {
    const x0 = f32Input(inputs[0]);
    if (!x0 || x0.dims.length === 0) return node.op.run(inputs, attrs, ctx);
    const { x, before, after, mode, value } = padArgs(inputs, attrs as PadAttrs);
    const { dims, size, maps } = padPlan(x.dims, before, after, mode);
    const r = dims.length, w = dims[r - 1]!;
    const rows = size === 0 ? 0 : size / w;
    const rowBytes = Math.ceil(rows / 4) * 16;
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs: [dims], workBytes: rowBytes + w * 4 }, ([xp], [y], work) => {
      if (size === 0) return;
      // Source offset of each output row (-1: a row of the constant), from the leading axes' maps.
      rowSources(maps, stridesOf(x.dims), new Int32Array(engine.exports.memory.buffer, work, rows));
      const map = work + rowBytes;
      new Int32Array(engine.exports.memory.buffer, map, w).set(maps[r - 1]!);
      // Output columns [lo, hi) read one contiguous run of the source row, in every mode.
      const b = before[r - 1]!;
      const lo = Math.min(Math.max(b, 0), w), hi = Math.min(Math.max(b + x.dims[r - 1]!, lo), w);
      const bits = f32Bits(value as number);
      rowTasks(engine, rows, size, (r0, r1) => ({ fn: 'pad_rows_f32', args: [xp!, work, map, w, lo, hi, bits, y!, r0, r1] }), 1, PARALLEL_MIN_ELEMENTS);
    });
  };
}

/** Gather: rows of `inner` floats picked by the op's checked indices. */
export function gatherKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  // A constant table (embeddings) goes into the engine once, not on every run.
  const t = node.inputs[0] ? g.initializers.get(node.inputs[0]) : undefined;
  const table = t && t.type === 'float32' && t.dims.length > 0 ? { t, ptr: constF32(engine, t) } : undefined;
  return (inputs, attrs, ctx) => {
    const x = table?.t ?? f32Input(inputs[0]);
    if (!x || x.dims.length === 0 || !(table || isResident(engine, x))) return node.op.run(inputs, attrs, ctx);
    const { idx, dims, outer, inner, dimA } = gatherPlan(x.dims, tensorAt(inputs, 1, 'indices'), (attrs as { axis: number }).axis);
    const m = idx.length, rows = outer * m;
    return engineCall(engine, scratch, { node, g, inputs: [table ? undefined : x], outputs: [dims], workBytes: m * 4 }, ([xp], [y], work) => {
      if (rows * inner === 0) return;
      new Int32Array(engine.exports.memory.buffer, work, m).set(idx);
      const src = table?.ptr ?? xp!;
      rowTasks(engine, rows, rows * inner, (r0, r1) => ({ fn: 'gather_f32', args: [src, work, m, inner, dimA, y!, r0, r1] }), 1, PARALLEL_MIN_ELEMENTS);
    });
  };
}
