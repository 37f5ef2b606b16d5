/**
 * Winograd F(4×4, 3×3) for 3×3, stride-1, dilation-1, ungrouped (Fused)Conv on the
 * engine (assembly/winograd.ts). The weights are transformed once, U = G g Gᵀ:
 * at session creation when shape inference knows the input map, else the first
 * time a worthwhile input size runs. Sizes where the 4×4 tiles waste too much
 * (7×7 maps) or channel counts too small to amortise the tile transforms go to
 * the im2col kernel.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convPlan, type ConvAttrs } from '../../ops/nn/conv.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import { convConstants, convEpilogue, convKernel, residualFor, runImages, staticDims } from './conv-kernel.js';
import type { Engine } from './engine.js';
import { constF32, f32Input } from './io.js';
import { align16, type Scratch } from './scratch.js';
import { CONV_MIN_WORK, ranges, taskCount } from './split.js';

/** G of F(4, 3) for the interpolation points 0, ±1, ±2, ∞ (matches Bᵀ and Aᵀ in the engine), row-major 6×3. */
const G = Float64Array.of(
  1 / 4, 0, 0,
  -1 / 6, -1 / 6, -1 / 6,
  -1 / 6, 1 / 6, -1 / 6,
  1 / 24, 1 / 12, 1 / 6,
  1 / 24, -1 / 12, 1 / 6,
  0, 0, 1,
);

/**
 * U[ξ = 6i + k][m][c] = (G g_{m,c} Gᵀ)[i][k] for weights w [M, C, 3, 3], computed in float64.
 * Flat tables and indexed loops: with array destructuring in the loop a 512×512 layer took 345 ms.
 */
export function winogradWeights(w: Float32Array, M: number, C: number, u: Float32Array): void {
  const t = new Float64Array(18);
  const plane = M * C;
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c++) {
      const g = (m * C + c) * 9;
      for (let i = 0; i < 6; i++) {
        const a0 = G[i * 3]!, a1 = G[i * 3 + 1]!, a2 = G[i * 3 + 2]!;
        for (let b = 0; b < 3; b++) t[i * 3 + b] = a0 * w[g + b]! + a1 * w[g + 3 + b]! + a2 * w[g + 6 + b]!;
      }
      const at = m * C + c;
      for (let i = 0; i < 6; i++) {
        const t0 = t[i * 3]!, t1 = t[i * 3 + 1]!, t2 = t[i * 3 + 2]!;
        for (let k = 0; k < 6; k++) u[(i * 6 + k) * plane + at] = t0 * G[k * 3]! + t1 * G[k * 3 + 1]! + t2 * G[k * 3 + 2]!;
      }
    }
  }
}

/**
 * Whether Winograd pays for an oh×ow output with C → M channels: the multiply
 * saving over direct 3×3 (9 per output vs 36 per 4×4 tile, tiles padded to the
 * GEMM's 8-column panels) must be large, and the channels many enough that the
 * per-tile transforms stay small next to the 36 GEMMs.
 */
export function winogradPays(oh: number, ow: number, C: number, M: number): boolean {
  const tiles = Math.ceil(Math.ceil(oh / 4) * Math.ceil(ow / 4) / 8) * 8;
  return C >= 16 && M >= 16 && (9 * oh * ow) / (36 * tiles) >= 2.5;
}

/**
 * Tile panels (8 tiles) per thread from which threads take whole tile ranges: each range then
 * streams all of U, so it must carry enough tiles (ResNet's 56² and 28² maps, not its 14²).
 */
const TILE_SPLIT_MIN_PANELS = 3;

export function winogradKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const consts = convConstants(g, node);
  const at = node.attrs as ConvAttrs;
  const ones = (v: readonly number[] | undefined) => !v || v.every((s) => s === 1);
  if (!consts || at.group !== 1 || !ones(at.win.strides) || !ones(at.win.dilations)) return undefined;
  const { w, b } = consts;
  const [M, C, kh, kw] = w.dims as [number, number, number, number];
  if (kh !== 3 || kw !== 3) return undefined;
  const { act, lo, hi, residual } = convEpilogue(node);
  let uPtr = 0, bPtr = 0;
  let fallback: Kernel<unknown> | undefined;
  /** The im2col kernel this conv falls back to, made once. */
  const im2col = () => (fallback ??= convKernel(engine, scratch, node, g) ?? node.op.run);
  const transform = () => {
    uPtr = engine.alloc(36 * M * C * 4);
    winogradWeights(w.data as Float32Array, M, C, engine.f32(uPtr, 36 * M * C));
    bPtr = b ? constF32(engine, b) : 0;
  };
  // With the map known, prepare the path it takes now: weights reserved on a first run would
  // sit between the activation regions the memory plan grows (resident.ts).
  const known = staticDims(g, node.inputs[0]);
  if (known?.length === 4 && known[1] === C) {
    const [oh, ow] = convPlan(known, w.dims, at).geom.outShape as [number, number];
    if (winogradPays(oh, ow, C, M)) transform();
    else im2col();
  }
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== 4) return node.op.run(inputs, attrs, ctx);
    const { geom, outDims } = convPlan(x.dims, w.dims, at);
    const [N, , H, W] = x.dims as [number, number, number, number];
    const [oh, ow] = geom.outShape as [number, number];
    if (N * oh * ow === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const z = residual ? residualFor(inputs[3], outDims) : undefined;
    if (!winogradPays(oh, ow, C, M) || (residual && !z)) {
      return im2col()(inputs, attrs, ctx);
    }
    if (!uPtr) transform();
    const ex = engine.exports;
    const [pt, pl] = geom.padsBegin as [number, number];
    const parts = taskCount(engine, 9 * C * M * oh * ow, CONV_MIN_WORK);
    const tiles = Math.ceil(oh / 4) * Math.ceil(ow / 4);
    const panels = Math.ceil(tiles / 8);
    if (parts > 1 && panels >= TILE_SPLIT_MIN_PANELS * engine.threads) {
      // Threads: one task per thread over its own range of tiles (winograd_tiles_f32): each
      // keeps its transformed tiles and products in its own cache and reads only U and its
      // rows of the image, with no barrier between the phases.
      const split = ranges(panels, engine.threads).map(([p0, p1]) => [p0 * 8, Math.min(p1 * 8, tiles)] as const);
      const taskBytes = align16(ex.winograd_tiles_bytes(C, M, oh, ow, split[0]![1] - split[0]![0]));
      const y = runImages(engine, scratch, { x, z, outDims, outSize: M * oh * ow, workBytes: split.length * taskBytes, node, g }, (xp, zp, yp, work) =>
        engine.parallel(split.map(([t0, t1], i) => ({
          fn: 'winograd_tiles_f32', args: [xp, C, H, W, uPtr, M, pt, pl, oh, ow, bPtr, zp, yp, work + i * taskBytes, act, lo, hi, t0, t1],
        }))));
      return [y];
    }
    const shared = align16(ex.winograd_scratch_bytes(C, M, oh, ow));
    // Otherwise the three phases, each split (input channels, the 36 products, output channels);
    // every task has its own padded plane and staging tile after the shared buffers.
    const taskBytes = parts > 1 ? align16(ex.winograd_task_bytes(oh, ow)) : 0;
    const y = runImages(engine, scratch, { x, z, outDims, outSize: M * oh * ow, workBytes: shared + parts * taskBytes, node, g }, (xp, zp, yp, work) => {
      if (parts === 1) { ex.winograd_f32(xp, C, H, W, uPtr, M, pt, pl, oh, ow, bPtr, zp, yp, work, act, lo, hi); return; }
      const own = (i: number) => work + shared + i * taskBytes;
      engine.parallel(ranges(C, parts).map(([c0, c1], i) => ({ fn: 'winograd_input_f32', args: [xp, C, H, W, pt, pl, oh, ow, work, own(i), c0, c1] })));
      engine.parallel(ranges(36, parts).map(([a, b]) => ({ fn: 'winograd_gemm_f32', args: [uPtr, C, M, oh, ow, work, a, b] })));
      engine.parallel(ranges(M, parts).map(([o0, o1], i) => ({ fn: 'winograd_output_f32', args: [C, M, oh, ow, bPtr, zp, yp, work, own(i), act, lo, hi, o0, o1] })));
    });
    return [y];
  };
}
