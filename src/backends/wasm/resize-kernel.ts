/**
 * Resize / Upsample on the engine. The reference op resolves the geometry and builds the
 * per-axis tables (src/ops/spatial/resize.ts, resize-axis.ts); this glue flattens them once per
 * shape into int32 / float32 arrays copied to scratch, and the engine gathers (nearest, any rank)
 * or resamples the last two axes (linear, cubic, antialias, exclude_outside, crops) over
 * ranges of output rows. Weighted resizes that move any other axis run on the reference.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import type { ResizeAttrs } from '../../ops/spatial/resize-attrs.js';
import type { AxisSpec, WeightTable } from '../../ops/spatial/resize-axis.js';
import { nearestTables, resizeCall, weightTables } from '../../ops/spatial/resize.js';
import { rowSources } from '../../ops/util/row-sources.js';
import { stridesOf } from '../../ops/util/shape.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { engineCall } from './engine-call.js';
import { f32Input } from './io.js';
import { align16, type Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';

/** Tables of one shape, laid out as one int32 block (float32 weights stored by their bits). */
interface Plan {
  readonly key: string;
  readonly outDims: readonly number[];
  readonly blob: Int32Array;
  /** Rows of output (product of all dims but the last, or planes × oh) the kernel walks. */
  readonly rows: number;
  /** Element offsets (in int32s) of each table inside the blob; -1 = absent. */
  readonly at: Readonly<Record<string, number>>;
  /** Weighted plans: taps per output along the height and width. */
  readonly tapsY: number;
  readonly tapsX: number;
  /** Elementary operations per output, to decide on threads. */
  readonly cost: number;
}

/** Lays int32 arrays (or float32 arrays, by their bits) end to end, each on a 16-byte boundary. */
function pack(parts: Record<string, Int32Array | Float32Array | undefined>): { blob: Int32Array; at: Record<string, number> } {
  const at: Record<string, number> = {};
  let n = 0;
  for (const [k, a] of Object.entries(parts)) { at[k] = a ? n : -1; if (a) n += Math.ceil(a.length / 4) * 4; }
  const blob = new Int32Array(Math.max(n, 4));
  for (const [k, a] of Object.entries(parts)) if (a) blob.set(a instanceof Float32Array ? new Int32Array(a.buffer, a.byteOffset, a.length) : a, at[k]!);
  return { blob, at };
}

function nearestPlan(key: string, specs: readonly AxisSpec[], attrs: ResizeAttrs, outDims: readonly number[]): Plan {
  const tables = nearestTables(specs, attrs);
  const r = outDims.length;
  // Input offset of every output row (-1 = outside the crop).
  const rowOff = rowSources(tables, stridesOf(specs.map((ax) => ax.inLen)));
  const rows = rowOff.length;
  const { blob, at } = pack({ rowOff, colOff: tables[r - 1] });
  return { key, outDims, blob, rows, at, tapsY: 1, tapsX: 1, cost: 1 };
}

/** A table as the kernel reads it: int32 indices, float32 weights, int32 outside flags (undefined: none). */
function flat(t: WeightTable | undefined, len: number): { index: Int32Array; weight: Float32Array; outside?: Int32Array; taps: number } {
  if (!t) return { index: Int32Array.from({ length: len }, (_, i) => i), weight: new Float32Array(len).fill(1), taps: 1 };
  return { index: t.index, weight: Float32Array.from(t.weight), outside: t.outside && Int32Array.from(t.outside), taps: t.taps };
}

function weightedPlan(key: string, specs: readonly AxisSpec[], attrs: ResizeAttrs, outDims: readonly number[]): Plan | undefined {
  const r = outDims.length;
  if (r < 2) return undefined;
  const tables = weightTables(specs, attrs);
  // Only the last two axes may move samples.
  if (tables.some((t, a) => a < r - 2 && t && !t.identity)) return undefined;
  const ty = flat(tables[r - 2], outDims[r - 2]!), tx = flat(tables[r - 1], outDims[r - 1]!);
  const { blob, at } = pack({ iy: ty.index, wy: ty.weight, ix: tx.index, wx: tx.weight, outY: ty.outside, outX: tx.outside });
  const rows = outDims.reduce((p, d) => p * d, 1) / outDims[r - 1]!;
  return { key, outDims, blob, rows, at, tapsY: ty.taps, tapsX: tx.taps, cost: ty.taps + tx.taps };
}

/** Resize and Upsample (every opset form the reference parses) on float32 data. */
export function resizeKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const attrs = node.attrs as ResizeAttrs;
  const ex = engine.exports;
  let last: Plan | undefined;
  const planFor = (specs: readonly AxisSpec[], outDims: readonly number[]): Plan | undefined => {
    const key = JSON.stringify(specs);
    if (last?.key === key) return last;
    const p = attrs.mode === 'nearest' ? nearestPlan(key, specs, attrs, outDims) : weightedPlan(key, specs, attrs, outDims);
    if (p) last = p;
    return p;
  };
  return (inputs, a, ctx) => {
    const x0 = f32Input(inputs[0]);
    if (!x0 || x0.dims.length === 0) return node.op.run(inputs, a, ctx);
    const { x, geom, specs } = resizeCall(inputs, attrs);
    const outDims = geom.outDims;
    if (outDims.some((d) => d === 0) || x.size === 0) return node.op.run(inputs, a, ctx);
    const plan = planFor(specs, outDims);
    if (!plan) return node.op.run(inputs, a, ctx);
    const r = outDims.length;
    const ow = outDims[r - 1]!;
    const size = plan.rows * ow;
    const parts = ranges(plan.rows, taskCount(engine, size * plan.cost, PARALLEL_MIN_ELEMENTS));
    const tableBytes = plan.blob.length * 4;
    const ringBytes = attrs.mode === 'nearest' ? 0 : align16(ex.resize_ring_bytes(plan.tapsY, ow));
    const fill = attrs.extrapolation;
    const [y] = engineCall(engine, scratch, { node, g, inputs: [x], outputs: [outDims], workBytes: tableBytes + parts.length * ringBytes }, ([xp], [yp], work) => {
      new Int32Array(ex.memory.buffer, work, plan.blob.length).set(plan.blob);
      const t = (k: string) => (plan.at[k]! < 0 ? 0 : work + plan.at[k]! * 4);
      if (attrs.mode === 'nearest') {
        engine.parallel(parts.map(([r0, r1]) => ({ fn: 'resize_nearest_f32', args: [xp!, yp!, t('rowOff'), t('colOff'), r0, r1, ow, fill] })));
        return;
      }
      const [h, w, oh] = [x.dims[r - 2]!, x.dims[r - 1]!, outDims[r - 2]!];
      const ring = work + tableBytes;
      engine.parallel(parts.map(([r0, r1], i) => ({
        fn: 'resize_weighted_f32',
        args: [xp!, yp!, r0, r1, h, w, oh, ow, t('iy'), t('wy'), plan.tapsY, t('ix'), t('wx'), plan.tapsX, t('outY'), t('outX'), fill, ring + i * ringBytes],
      })));
    });
    return [y as Tensor];
  };
}
