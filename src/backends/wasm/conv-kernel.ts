/**
 * 2-D Conv on the engine: weights and bias copied into engine memory once per
 * session; each run copies the image (and a fused residual) in, runs im2col +
 * GEMM per group, and copies the NCHW result out. Geometry comes from the op's own plan.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convPlan, type ConvAttrs } from '../../ops/nn/conv.js';
import type { WindowGeometry } from '../../ops/nn/conv-geometry.js';
import { activationBounds, type FusedConvAttrs } from '../../ops/nn/fused-conv.js';
import type { Kernel } from '../../ops/op.js';
import type { Value } from '../../values.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { constF32, f32Input, put } from './io.js';
import { engineCall } from './engine-call.js';
import type { Scratch } from './scratch.js';
import { gemmCalls, splitsByColumns } from './parallel-gemm.js';
import { pack } from './gemm-kernels.js';
import { inferGraphTypes } from '../../graph/infer.js';
import { dimsOf, isStatic } from '../../ops/util/infer-shapes.js';
import { CONV_MIN_WORK, PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';

/** How the engine's conv kernels finish a (Fused)Conv: activation code (0 none, 1 relu, 2 clip) and bounds. */
export interface ConvEpilogue {
  readonly act: number;
  readonly lo: number;
  readonly hi: number;
  /** The node has a residual input (FusedConv input 3). */
  readonly residual: boolean;
}

export function convEpilogue(node: IrNode): ConvEpilogue {
  return { ...activationCode(node.attrs as ConvAttrs & Partial<FusedConvAttrs>), residual: !!node.inputs[3] };
}

/** The engine's activation code and bounds for a (Fused)Conv's attributes (plain Conv: none). */
export function activationCode(at: Partial<FusedConvAttrs>): Omit<ConvEpilogue, 'residual'> {
  if (!at.activation || at.activation === 'None') return { act: 0, lo: 0, hi: 0 };
  if (at.activation === 'Relu') return { act: 1, lo: 0, hi: 0 };
  const [lo, hi] = activationBounds(at as FusedConvAttrs);
  return { act: 2, lo, hi };
}

/**
 * The residual of image n when it matches the output exactly (else undefined:
 * broadcasting residuals go to the reference kernel).
 */
export function residualFor(v: Value | undefined, outDims: readonly number[]): Tensor | undefined {
  const z = f32Input(v);
  return z && z.dims.length === outDims.length && z.dims.every((d, i) => d === outDims[i]) ? z : undefined;
}

/** What one run of an engine Conv kernel reads and writes. */
export interface ConvRun {
  readonly x: Tensor;
  /** The residual, matching the output's shape, or undefined. */
  readonly z: Tensor | undefined;
  readonly outDims: readonly number[];
  /** Floats of one image's output. */
  readonly outSize: number;
  /** Bytes of kernel scratch (im2col panels, padded planes, Winograd buffers). */
  readonly workBytes: number;
  readonly node: IrNode;
  readonly g: IrGraph;
}

/**
 * Runs `body(x, z, y, work)` (engine addresses) for each image of a batch. One
 * image reads inputs still resident in the engine in place and leaves its output
 * resident (copied to JS only when read); a batch copies each image in and out.
 */
export function runImages(engine: Engine, scratch: Scratch, r: ConvRun, body: (x: number, z: number, y: number, work: number) => void): Tensor {
  const { x, z, outSize } = r;
  const N = x.dims[0]!;
  const inSize = x.size / N;
  if (N === 1) {
    const [y] = engineCall(engine, scratch, { node: r.node, g: r.g, inputs: [x, z], outputs: [r.outDims], workBytes: r.workBytes },
      ([xPtr, zPtr], [yPtr], work) => body(xPtr!, zPtr!, yPtr!, work));
    return y!;
  }
  const base = scratch.get(r.workBytes + (inSize + 2 * outSize) * 4);
  const xPtr = base + r.workBytes, yPtr = xPtr + inSize * 4, zPtr = z ? yPtr + outSize * 4 : 0;
  const xd = x.data as Float32Array, zd = z?.data as Float32Array | undefined;
  const out = new Float32Array(N * outSize);
  for (let n = 0; n < N; n++) {
    put(engine, xPtr, xd.subarray(n * inSize, (n + 1) * inSize));
    if (zd) put(engine, zPtr, zd.subarray(n * outSize, (n + 1) * outSize));
    body(xPtr, zPtr, yPtr, base);
    out.set(engine.f32(yPtr, outSize), n * outSize);
  }
  return new Tensor('float32', out, r.outDims);
}

/** The constant float32 weight [M, C/g, kh, kw] and bias of a 2-D Conv node, or undefined. */
export function convConstants(g: IrGraph, node: IrNode): { w: Tensor; b: Tensor | undefined } | undefined {
  return convWeights(g, node.inputs[1], node.inputs[2]);
}

/** A 2-D conv's constant float32 weight [M, C/g, kh, kw] and bias [M] by name ('' or undefined: no bias), or undefined. */
export function convWeights(g: IrGraph, wName: string | undefined, bName: string | undefined): { w: Tensor; b: Tensor | undefined } | undefined {
  const w = g.initializers.get(wName ?? '');
  const b = bName ? g.initializers.get(bName) : undefined;
  if (!w || w.type !== 'float32' || w.dims.length !== 4) return undefined;
  if (bName && (!b || b.type !== 'float32' || b.size !== w.dims[0])) return undefined;
  return { w, b };
}

/**
 * Pointwise convs with at most this many output channels read the image in place
 * (pointwise_f32); with more, packing it once for the GEMM's panels is cheaper than
 * re-reading strided rows per block of 4 channels (measured: 1.2–1.7× faster at
 * 16–24 channels, even at 64, 2× slower at 96 with 16 input channels).
 */
const POINTWISE_MAX_M = 32;

/** 1×1 kernel, stride 1, no padding, one group: the output grid is the input grid. */
function isPointwise(geom: WindowGeometry, group: number, H: number, W: number): boolean {
  return group === 1 && geom.kernel.every((k) => k === 1) && geom.strides.every((s) => s === 1) &&
    geom.outShape[0] === H && geom.outShape[1] === W && geom.padsBegin.every((p) => p === 0);
}

/** Types inferred once per graph, for kernels that choose a layout from a static shape. */
const inferred = new WeakMap<IrGraph, ReturnType<typeof inferGraphTypes>>();

/** A value's dims when shape inference knows them all, else undefined. */
export function staticDims(g: IrGraph, name: string | undefined): number[] | undefined {
  let types = inferred.get(g);
  if (!types) inferred.set(g, types = inferGraphTypes(g));
  const dims = dimsOf(name ? types.get(name) : undefined);
  return dims?.every(isStatic) ? dims as number[] : undefined;
}

/**
 * Whether a pointwise conv (1×1, stride 1, unpadded, one group, more than POINTWISE_MAX_M
 * outputs) over a statically known map runs with pixels as the GEMM's rows and output channels
 * as its 8-wide panels. The usual layout makes pixels the panels, and a small map leaves the
 * last panel mostly empty: 7² = 49 pixels fill 7 panels of 8, 12.5% of the work wasted. Going
 * transposed costs two small transposes and gives the same bits (each output sums its products
 * in the same order). Measured on the engine, simd128: 320→1280 at 7² 1.116 → 1.020 ms,
 * 960→320 0.846 → 0.736, 2048→512 3.10 → 2.73; at 14² (2% waste) it was slower, 0.61 → 0.87.
 */
function pixelsAsRows(g: IrGraph, node: IrNode, w: Tensor): boolean {
  const at = node.attrs as ConvAttrs;
  const x = staticDims(g, node.inputs[0]);
  // The channel check keeps convPlan's own shape errors for run time, where they name the feed.
  if (!x || x.length !== 4 || at.group !== 1 || x[1] !== w.dims[1] || w.dims[0]! <= POINTWISE_MAX_M) return false;
  const [, , H, W] = x as [number, number, number, number];
  const { shape, geom } = convPlan(x, w.dims, at);
  const n = H * W, padded = Math.ceil(n / 8) * 8;
  return isPointwise(geom, shape.group, H, W) && n > 0 && (padded - n) / padded >= 0.1;
}

export function convKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const consts = convConstants(g, node);
  if (!consts) return undefined;
  const { w, b } = consts;
  if (pixelsAsRows(g, node, w)) return pixelRowsConvKernel(engine, scratch, node, g, w, b);
  const wPtr = constF32(engine, w);
  const bPtr = b ? constF32(engine, b) : 0;
  const at = node.attrs as ConvAttrs;
  const { act, lo, hi, residual } = convEpilogue(node);
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4) return node.op.run(inputs, attrs, ctx);
    const { shape, geom, outDims } = convPlan(x.dims, w.dims, at);
    const z = residual ? residualFor(inputs[3], outDims) : undefined;
    if (residual && !z) return node.op.run(inputs, attrs, ctx);
    const [N, C, H, W] = x.dims as [number, number, number, number];
    const [oh, ow] = geom.outShape as [number, number];
    const [kh, kw] = geom.kernel as [number, number];
    const M = shape.M;
    const outSize = M * oh * ow;
    if (N * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const ex = engine.exports;
    const n = oh * ow;
    if (isPointwise(geom, shape.group, H, W) && M <= POINTWISE_MAX_M) {
      // Threads take pixel ranges (whole 8-column blocks; each reads only its share of the
      // image), or output-channel ranges on small maps; each task has its own tail panel.
      const count = taskCount(engine, M * C * n, CONV_MIN_WORK);
      const byCols = count > 1 && Math.ceil(n / 8) >= count;
      const parts = byCols ? ranges(n, count, 8) : ranges(M, count);
      const tailBytes = C * 8 * 4;
      const y = runImages(engine, scratch, { x, z, outDims, outSize, workBytes: parts.length * tailBytes, node, g }, (xp, zp, yp, work) =>
        engine.parallel(parts.map(([s0, s1], i) => {
          const [m0, m1, c0, c1] = byCols ? [0, M, s0, s1] : [s0, s1, 0, n];
          const at = (m0 * n + c0) * 4;
          return {
            fn: 'pointwise_cols_f32',
            args: [xp + c0 * 4, C, c1 - c0, n, wPtr + m0 * C * 4, m1 - m0, bPtr ? bPtr + m0 * 4 : 0, zp ? zp + at : 0, yp + at, work + i * tailBytes, act, lo, hi],
          };
        })));
      return [y];
    }
    const [sh, sw] = geom.strides as [number, number];
    const [dh, dw] = geom.dilations as [number, number];
    const [pt, pl] = geom.padsBegin as [number, number];
    const workBytes = ex.conv_col_bytes(C / shape.group, kh, kw, oh, ow);
    const K = C * kh * kw;
    const parts = shape.group === 1 ? taskCount(engine, M * K * n, CONV_MIN_WORK) : 1;
    const y = runImages(engine, scratch, { x, z, outDims, outSize, workBytes, node, g }, (xp, zp, yp, col) => {
      if (parts === 1) {
        ex.conv2d_f32(xp, C, H, W, wPtr, M, kh, kw, shape.group, sh, sw, dh, dw, pt, pl, oh, ow, bPtr, zp, yp, col, act, lo, hi);
        return;
      }
      const panels = Math.ceil(n / 8);
      if (splitsByColumns(M, n, parts)) {
        // Where the GEMM would split by pixels, each task packs its own panel range and multiplies
        // it at once (conv_panels_f32), so no panel crosses cores and there is one barrier, not two.
        engine.parallel(ranges(panels, parts).map(([p0, p1]) => ({
          fn: 'conv_panels_f32', args: [xp, C, H, W, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col, p0, p1, wPtr, M, bPtr, zp, yp, act, lo, hi],
        })));
        return;
      }
      // Otherwise the image is unfolded by ranges of 8-pixel panels (each a contiguous block of
      // col), then the GEMM is split by output channels.
      engine.parallel(ranges(panels, taskCount(engine, K * n, PARALLEL_MIN_ELEMENTS)).map(([p0, p1]) => ({
        fn: 'im2col_panels', args: [xp, C, H, W, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col, p0, p1],
      })));
      gemmCalls(engine, [{ a: wPtr, lda: K, bp: col, c: yp, ldc: n, m: M, n, k: K, bias: bPtr, perRowBias: true, res: zp || undefined, act, lo, hi }], CONV_MIN_WORK);
    });
    return [y];
  };
}

/**
 * A pointwise conv run as Yᵀ = Xᵀ · Wᵀ (see pixelsAsRows): Wᵀ packed once into panels of 8
 * output channels with the bias as a column bias; per image the input [C, n] is transposed
 * into rows of pixels, multiplied (split over threads by channel panels), and transposed back,
 * then the residual and activation are applied as conv2d_f32 applies them.
 */
function pixelRowsConvKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph, w: Tensor, b: Tensor | undefined): Kernel<unknown> {
  const [M, C] = w.dims as [number, number];
  const packed = pack(engine, scratch, w, true, b, [M, C]);
  const at = node.attrs as ConvAttrs;
  const { act, lo, hi, residual } = convEpilogue(node);
  const ex = engine.exports;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4 || x.dims[1] !== C) return node.op.run(inputs, attrs, ctx);
    const { outDims } = convPlan(x.dims, w.dims, at);
    const z = residual ? residualFor(inputs[3], outDims) : undefined;
    if (residual && !z) return node.op.run(inputs, attrs, ctx);
    const n = x.dims[2]! * x.dims[3]!, outSize = M * n;
    if (x.dims[0]! * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const xtBytes = Math.ceil(C * n / 4) * 16;
    const y = runImages(engine, scratch, { x, z, outDims, outSize, workBytes: xtBytes + outSize * 4, node, g }, (xp, zp, yp, work) => {
      const xt = work, yt = work + xtBytes;
      ex.transpose_f32(xp, xt, 1, 1, n, C, 0, 0, 1, n, 0, 1);
      gemmCalls(engine, [{ a: xt, lda: C, bp: packed.packed, c: yt, ldc: M, m: n, n: M, k: C, bias: packed.bias, act: zp ? 0 : act, lo, hi }], CONV_MIN_WORK);
      ex.transpose_f32(yt, yp, 1, 1, M, n, 0, 0, 1, M, 0, 1);
      if (zp) ex.residual_act_f32(yp, zp, outSize, act, lo, hi);
    });
    return [y];
  };
}
