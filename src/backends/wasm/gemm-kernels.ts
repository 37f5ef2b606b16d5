/**
 * MatMul and Gemm on the engine when the weight matrix is a constant: packed
 * once into engine memory at session creation, so a run copies A in, runs the
 * SIMD kernel and copies C out.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { isBiasRow } from '../../ops/nn/fused-matmul.js';
import { matmulPlan } from '../../ops/nn/matmul-plan.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { gemm } from './parallel-gemm.js';
import { copyData } from '../../onnx/lazy-tensor.js';
import { noteHeld } from './io.js';
import { Scratch } from './scratch.js';

interface PackedWeights {
  k: number;
  n: number;
  packed: number;
  /** Bias padded to a multiple of 8 floats, or 0. */
  bias: number;
}

/**
 * Packs W (and its bias) into engine memory. W passes through the scratch region
 * on its way, so the engine keeps only the packed copy, and the session may drop
 * the JS one (noteHeld).
 */
function pack(engine: Engine, scratch: Scratch, w: Tensor, transB: boolean, bias?: Tensor): PackedWeights {
  const [r, c] = w.dims as [number, number];
  const k = transB ? c : r;
  const n = transB ? r : c;
  const x = engine.exports;
  const packed = engine.alloc(x.packed_b_bytes(k, n));
  const src = scratch.get(w.size * 4);
  copyData(w, engine.f32(src, w.size));
  x.pack_b_f32(src, k, n, c, transB ? 1 : 0, packed);
  noteHeld(w);
  let b = 0;
  if (bias) {
    b = engine.alloc(Math.ceil(n / 8) * 32);
    engine.f32(b, bias.size).set(bias.data as Float32Array);
    noteHeld(bias);
  }
  return { k, n, packed, bias: b };
}

function runPacked(engine: Engine, scratch: Scratch, w: PackedWeights, a: Float32Array, rows: number): Float32Array {
  const { k, n } = w;
  const base = scratch.get((rows * k + rows * n) * 4);
  const aPtr = base, cPtr = base + rows * k * 4;
  engine.f32(aPtr, rows * k).set(a);
  gemm(engine, { a: aPtr, lda: k, bp: w.packed, c: cPtr, ldc: n, m: rows, n, k, bias: w.bias });
  return engine.f32(cPtr, rows * n).slice();
}

const isConstF32 = (g: IrGraph, name: string | undefined, rank?: number) => {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.type === 'float32' && (rank === undefined || t.dims.length === rank) ? t : undefined;
};

/**
 * MatMul(A, W) with W a constant 2-D float32 matrix, and FusedMatMul (the same
 * plus a constant bias row, added in the GEMM's store); otherwise undefined.
 */
export function matmulKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const w = isConstF32(g, node.inputs[1], 2);
  const bias = node.opType === 'FusedMatMul' ? isConstF32(g, node.inputs[2]) : undefined;
  if (!w || (node.opType === 'FusedMatMul' && !(bias && isBiasRow(bias, w.dims[1]!)))) return undefined;
  const packed = pack(engine, scratch, w, false, bias);
  return (inputs, attrs, ctx) => {
    const a = inputs[0];
    if (!(a instanceof Tensor) || a.type !== 'float32' || a.dims.length < 1) return node.op.run(inputs, attrs, ctx);
    const plan = matmulPlan(a.dims, w.dims);
    const rows = a.size / packed.k;
    return [new Tensor('float32', runPacked(engine, scratch, packed, a.data as Float32Array, rows), withBiasRank(plan.outDims, bias))];
  };
}

/** Adding a bias of higher rank prepends 1s to the product's dims (numpy broadcasting). */
function withBiasRank(dims: number[], bias: Tensor | undefined): number[] {
  const extra = bias ? bias.dims.length - dims.length : 0;
  return extra > 0 ? [...new Array<number>(extra).fill(1), ...dims] : dims;
}

interface GemmAttrs { alpha: number; beta: number; transA: boolean; transB: boolean }

/** Gemm with constant B, alpha = 1, no transA, and C absent or a constant bias row (beta = 1). */
export function gemmKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const at = node.attrs as GemmAttrs;
  const w = isConstF32(g, node.inputs[1], 2);
  const c = node.inputs[2] ? isConstF32(g, node.inputs[2]) : undefined;
  if (!w || at.transA || at.alpha !== 1) return undefined;
  const n = at.transB ? w.dims[0]! : w.dims[1]!;
  const biasOk = !node.inputs[2] || (c && at.beta === 1 && c.size === n && (c.dims.length === 1 || (c.dims.length === 2 && c.dims[0] === 1)));
  if (!biasOk) return undefined;
  const packed = pack(engine, scratch, w, at.transB, c);
  return (inputs, attrs, ctx) => {
    const a = inputs[0];
    if (!(a instanceof Tensor) || a.type !== 'float32' || a.dims.length !== 2 || a.dims[1] !== packed.k) return node.op.run(inputs, attrs, ctx);
    const rows = a.dims[0]!;
    return [new Tensor('float32', runPacked(engine, scratch, packed, a.data as Float32Array, rows), [rows, packed.n])];
  };
}
