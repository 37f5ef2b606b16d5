/** Resize (opsets 10–19) and Upsample (7, 9): one geometry, per-axis tables, then a gather or separable passes. */
import type { Dim } from '../../onnx/model.js';
import type { Tensor } from '../../tensor.js';
import type { Value } from '../../values.js';
import { defineOp } from '../op.js';
import { elemOf, shapeOf, tensorType, type Rule } from '../util/infer-rules.js';
import { optTensorAt, tensorAt, toInts, toNumbers } from '../util/read.js';
import { normalizeAxes } from '../util/shape.js';
import { parseResizeAttrs, parseUpsampleAttrs, type ResizeAttrs } from './resize-attrs.js';
import { nearestTable, weightTable, type AxisSpec, type WeightTable } from './resize-axis.js';
import { resizeGeometry, type ResizeGeometry } from './resize-geometry.js';
import { gatherNearest, resampleWeighted } from './resize-kernel.js';

/** A Resize call resolved: the data input, its geometry and each axis's mapping. */
export interface ResizeCall {
  readonly x: Tensor;
  readonly geom: ResizeGeometry;
  readonly specs: readonly AxisSpec[];
}

/** Reads X and the scales/sizes/roi inputs of the node's form and resolves the per-axis geometry (OpError on bad input). */
export function resizeCall(inputs: readonly (Value | undefined)[], attrs: ResizeAttrs): ResizeCall {
  const x = tensorAt(inputs, 0, 'X');
  const at = (i: number, what: string) => (i >= 0 ? optTensorAt(inputs, i, what) : undefined);
  const geom = resizeGeometry(x.dims, attrs, at(attrs.scalesInput, 'scales'), at(attrs.sizesInput, 'sizes'), at(attrs.roiInput, 'roi'));
  const specs: AxisSpec[] = x.dims.map((inLen, i) => ({
    inLen, outLen: geom.outDims[i]!, scale: geom.scales[i]!, outLenF: geom.outLenF[i]!, roiStart: geom.roiStart[i]!, roiEnd: geom.roiEnd[i]!,
  }));
  return { x, geom, specs };
}

/** Axes that keep their length under a mapping that cannot move samples need no table. */
export function axisUntouched(ax: AxisSpec, attrs: ResizeAttrs): boolean {
  return ax.inLen === ax.outLen && ax.scale === 1 && attrs.coordMode !== 'tf_crop_and_resize' && attrs.coordMode !== 'tf_half_pixel_for_nn';
}

/** Nearest mode: the source index of every output index, per axis (-1 outside the crop). */
export function nearestTables(specs: readonly AxisSpec[], attrs: ResizeAttrs): Int32Array[] {
  return specs.map((ax) => {
    if (axisUntouched(ax, attrs)) return Int32Array.from({ length: ax.inLen }, (_, i) => i);
    return nearestTable(ax, attrs.coordMode, attrs.nearestMode);
  });
}

/** Linear and cubic modes: each axis's weighted taps, undefined for untouched axes. */
export function weightTables(specs: readonly AxisSpec[], attrs: ResizeAttrs): (WeightTable | undefined)[] {
  const filter = { mode: attrs.mode as Exclude<ResizeAttrs['mode'], 'nearest'>, cubicA: attrs.cubicA, antialias: attrs.antialias, excludeOutside: attrs.excludeOutside };
  return specs.map((ax) => (axisUntouched(ax, attrs) ? undefined : weightTable(ax, attrs.coordMode, filter)));
}

/** Runs a resize described by `attrs` on the node's inputs. */
export function runResize(inputs: readonly (Value | undefined)[], attrs: ResizeAttrs): Tensor {
  const { x, geom, specs } = resizeCall(inputs, attrs);
  if (attrs.mode === 'nearest') return gatherNearest(x, geom.outDims, nearestTables(specs, attrs), attrs.extrapolation);
  return resampleWeighted(x, geom.outDims, weightTables(specs, attrs), attrs.extrapolation);
}

/**
 * X's type; the resized axes get their length from constant scales (floor(scale · dim)) or
 * sizes, as resizeGeometry computes it, and are unknown when neither is a constant.
 */
export const inferResize: Rule<ResizeAttrs> = (ins, attrs, ctx) => {
  const elem = elemOf(ins[0]);
  const inDims = shapeOf(ins[0]);
  if (!inDims) return [tensorType(elem, undefined)];
  const axes = attrs.axes ? normalizeAxes(attrs.axes, inDims.length) : inDims.map((_, i) => i);
  const at = (i: number) => (i >= 0 ? ctx.constant(i) : undefined);
  const scalesT = at(attrs.scalesInput), sizesT = at(attrs.sizesInput);
  const out: Dim[] = inDims.slice();
  const scales = attrs.constScales ?? (scalesT && scalesT.size > 0 ? toNumbers(scalesT) : undefined);
  const sizes = sizesT && sizesT.size > 0 ? toInts(sizesT) : undefined;
  if (scales && scales.length === axes.length) {
    axes.forEach((ax, i) => {
      const d = inDims[ax];
      out[ax] = scales[i] === 1 ? d : typeof d === 'number' ? Math.floor(scales[i]! * d) : undefined;
    });
  } else if (sizes && sizes.length === axes.length && !scales) {
    if (attrs.aspect === 'stretch') axes.forEach((ax, i) => { out[ax] = sizes[i]; });
    else {
      // One common scale, chosen from every resized axis: it needs all of their input lengths.
      const known = axes.every((ax) => typeof inDims[ax] === 'number' && inDims[ax] !== 0);
      let s = known ? sizes[0]! / (inDims[axes[0]!] as number) : 0;
      for (const [i, ax] of axes.entries()) if (known) s = (attrs.aspect === 'not_larger' ? Math.min : Math.max)(s, sizes[i]! / (inDims[ax] as number));
      for (const ax of axes) out[ax] = known ? Math.floor(s * (inDims[ax] as number) + 0.5) : undefined;
    }
  } else {
    for (const ax of axes) out[ax] = undefined;
  }
  return [tensorType(elem, out)];
};

/** Resize-10: (X, scales), asymmetric mapping, nearest or linear. */
export const Resize10 = defineOp({
  name: 'Resize',
  since: 10,
  attrs: parseResizeAttrs,
  run: (inputs, attrs) => [runResize(inputs, attrs)],
  infer: inferResize,
});

/** Resize-11 and later: (X, roi, scales, sizes); later opsets add antialias, axes and keep_aspect_ratio_policy. */
export const Resize = defineOp({
  name: 'Resize',
  since: 11,
  attrs: parseResizeAttrs,
  run: (inputs, attrs) => [runResize(inputs, attrs)],
  infer: inferResize,
});

/** Upsample-7: scales attribute. */
export const Upsample7 = defineOp({
  name: 'Upsample',
  since: 7,
  attrs: parseUpsampleAttrs,
  run: (inputs, attrs) => [runResize(inputs, attrs)],
  infer: inferResize,
});

/** Upsample-9: scales input. */
export const Upsample = defineOp({
  name: 'Upsample',
  since: 9,
  attrs: parseUpsampleAttrs,
  run: (inputs, attrs) => [runResize(inputs, attrs)],
  infer: inferResize,
});
