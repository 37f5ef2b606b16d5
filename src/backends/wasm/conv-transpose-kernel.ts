/**
 * 1-D, 2-D and 3-D ConvTranspose on the engine: per image and group, a GEMM of the transposed
 * weights (packed once per session) with the image gives columns [Mg·kd·kh·kw, d·h·w], which
 * col2im adds into the output volumes started from the bias. Geometry comes from the op's own
 * plan; 1-D and 2-D run as 3-D with unit leading dims (no padding, stride or dilation there).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { convTransposePlan, type ConvTransposeAttrs } from '../../ops/nn/conv-transpose.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import { copyData } from '../../onnx/lazy-tensor.js';
import type { Engine } from './engine.js';
import { engineCall } from './engine-call.js';
import { constF32, f32Input, noteHeld } from './io.js';
import { gemmCalls, type GemmCall } from './parallel-gemm.js';
import { align16, type Scratch } from './scratch.js';
import { CONV_MIN_WORK, PARALLEL_MIN_ELEMENTS, ranges, taskCount } from './split.js';

/**
 * Copies W [C, Mg, k…] into engine memory as one row-major [Mg·K, Cg] matrix per group (A of
 * the GEMM: rows are (output channel, tap), columns the group's input channels).
 */
function transposedWeights(engine: Engine, w: Tensor, group: number): number {
  const [C, Mg] = w.dims as [number, number];
  const K = w.size / (C * Mg), Cg = C / group, rows = Mg * K;
  const src = new Float32Array(w.size);
  copyData(w, src);
  noteHeld(w);
  const n = Math.ceil(Math.max(w.size, 1) / 8) * 8;
  const p = engine.alloc(n * 4);
  const dst = engine.f32(p, n);
  dst.fill(0);
  for (let g = 0; g < group; g++) {
    const base = g * rows * Cg;
    for (let c = 0; c < Cg; c++) {
      const s = (g * Cg + c) * rows;
      for (let r = 0; r < rows; r++) dst[base + r * Cg + c] = src[s + r]!;
    }
  }
  return p;
}

/** The kernel for a ConvTranspose whose W (rank 3 to 5, float32) and B are constants; else undefined. */
export function convTransposeKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const w = g.initializers.get(node.inputs[1] ?? '');
  const b = node.inputs[2] ? g.initializers.get(node.inputs[2]) : undefined;
  if (!w || w.type !== 'float32' || w.dims.length < 3 || w.dims.length > 5) return undefined;
  if (node.inputs[2] && (!b || b.type !== 'float32')) return undefined;
  const at = node.attrs as ConvTransposeAttrs;
  const group = at.group;
  if (!(group >= 1) || w.dims[0]! % group !== 0 || (b && b.size !== w.dims[1]! * group)) return undefined;
  const aPtr = transposedWeights(engine, w, group);
  const bPtr = b ? constF32(engine, b) : 0;
  const ex = engine.exports;
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    if (!x || x.dims.length !== w.dims.length || x.size === 0) return node.op.run(inputs, attrs, ctx);
    const { N, C, M, Cg, Mg, geom, outDims } = convTransposePlan(x, w, b, at);
    // Spatial dims as 3-D: 1-D and 2-D get unit leading dims, one tap, unit stride, no padding.
    const lead = (v: readonly number[], unit: number) => [...new Array<number>(3 - v.length).fill(unit), ...v] as [number, number, number];
    const [d, h, wd] = lead(geom.outShape, 1);
    const [od, oh, ow] = lead(geom.inShape, 1);
    const [kd, kh, kw] = lead(geom.kernel, 1);
    const [sd, sh, sw] = lead(geom.strides, 1);
    const [dd, dh, dw] = lead(geom.dilations, 1);
    const [pf, pt, pl] = lead(geom.padsBegin, 0);
    const outSize = M * od * oh * ow;
    if (N * outSize === 0) return [new Tensor('float32', new Float32Array(0), outDims)];
    const n = d * h * wd, K = kd * kh * kw, rows = Mg * K;
    const packedGroup = align16(ex.packed_b_bytes(Cg, n));
    const colBytes = M * K * n * 4;
    const [y] = engineCall(engine, scratch, { node, g, inputs: [x], outputs: [outDims], workBytes: group * packedGroup + colBytes }, ([xp], [yp], work) => {
      const col = work + group * packedGroup;
      const panels = Math.ceil(n / 8);
      const packParts = ranges(panels, taskCount(engine, C * n, PARALLEL_MIN_ELEMENTS));
      const scatterParts = ranges(M, taskCount(engine, M * K * n, PARALLEL_MIN_ELEMENTS));
      for (let img = 0; img < N; img++) {
        const xi = xp! + img * C * n * 4;
        // Pack each group's image [Cg, n] into 8-column panels, by panel ranges.
        engine.parallel(Array.from({ length: group }, (_, gi) => packParts.map(([p0, p1]) => ({
          fn: 'pack_b_f32',
          args: [xi + (gi * Cg * n + p0 * 8) * 4, Cg, Math.min(n, p1 * 8) - p0 * 8, n, 0, work + gi * packedGroup + p0 * Cg * 32],
        }))).flat());
        const calls: GemmCall[] = Array.from({ length: group }, (_, gi) => ({
          a: aPtr + gi * rows * Cg * 4, lda: Cg, bp: work + gi * packedGroup, c: col + gi * rows * n * 4, ldc: n, m: rows, n, k: Cg,
        }));
        gemmCalls(engine, calls, CONV_MIN_WORK);
        const yi = yp! + img * outSize * 4;
        engine.parallel(scatterParts.map(([m0, m1]) => ({
          fn: 'col2im_add_f32',
          args: [col + m0 * K * n * 4, m1 - m0, d, h, wd, kd, kh, kw, sd, sh, sw, dd, dh, dw, pf, pt, pl, od, oh, ow, bPtr ? bPtr + m0 * 4 : 0,
            yi + (m0 * outSize / M) * 4],
        })));
      }
    });
    return [y!];
  };
}
