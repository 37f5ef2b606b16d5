/**
 * MatMul and Gemm on the engine when the weight matrix is a constant: packed
 * once into engine memory at session creation; A and C stay in engine memory
 * between engine kernels (engineCall).
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { isBiasRow, type FusedMatMulAttrs } from '../../ops/nn/fused-matmul.js';
import { sameShape } from '../../ops/util/shape.js';
import { matmulPlan } from '../../ops/nn/matmul-plan.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { gemm } from './parallel-gemm.js';
import { copyData } from '../../onnx/lazy-tensor.js';
import { f32Input, noteHeld } from './io.js';
import { unaryAct, unaryTasks, type UnaryAct } from './elementwise-kernels.js';
import { engineCall } from './engine-call.js';
import { Scratch } from './scratch.js';

export interface PackedWeights {
  k: number;
  n: number;
  packed: number;
  /** Bias padded to a multiple of 8 floats, or 0. */
  bias: number;
}

/**
 * Packs W (and its bias) into engine memory; `dims` reads W as another 2-D shape of the same
 * data (a 1×1 conv's [M, C, 1, 1] as [M, C]). W passes through the scratch region
 * on its way, so the engine keeps only the packed copy, and the session may drop
 * the JS one (noteHeld).
 */
export function pack(engine: Engine, scratch: Scratch, w: Tensor, transB: boolean, bias?: Tensor, dims = w.dims): PackedWeights {
  const [r, c] = dims as [number, number];
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

/** What FusedMatMul does to the product after its bias: add a residual of the output's size, then an activation. */
interface Finish { residual?: Tensor; act?: UnaryAct }

/** C = A·W (+ bias, + residual, activated) with A's rows of k floats; A and C stay in engine memory (engineCall). */
function runPacked(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph, w: PackedWeights, a: Tensor, dims: readonly number[], finish: Finish = {}): Tensor {
  const { k, n } = w;
  const rows = a.size / k;
  const [y] = engineCall(engine, scratch, { node, g, inputs: [a, finish.residual], outputs: [dims] }, ([aPtr, rPtr], [cPtr], _, handedOut) => {
    // The residual is added by each GEMM task right after its block (as the unfused Add would compute it).
    // A product the run hands out is copied as its tasks finish, unless an activation follows.
    const copy = finish.act ? undefined : handedOut(0);
    gemm(engine, { a: aPtr!, lda: k, bp: w.packed, c: cPtr!, ldc: n, m: rows, n, k, bias: w.bias, res: rPtr || undefined, copy });
    if (finish.act) unaryTasks(engine, finish.act, cPtr!, cPtr!, rows * n);
  });
  return y!;
}

const isConstF32 = (g: IrGraph, name: string | undefined, rank?: number) => {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.type === 'float32' && (rank === undefined || t.dims.length === rank) ? t : undefined;
};

/**
 * MatMul(A, W) with W a constant 2-D float32 matrix, and FusedMatMul (the same
 * plus a constant bias row, added in the GEMM's store, then its residual and
 * activation applied to the output in engine memory); otherwise undefined.
 */
export function matmulKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const w = isConstF32(g, node.inputs[1], 2);
  const fused = node.opType === 'FusedMatMul';
  const bias = fused ? isConstF32(g, node.inputs[2]) : undefined;
  if (!w || (fused && !(bias && isBiasRow(bias, w.dims[1]!)))) return undefined;
  const activation = fused ? (node.attrs as FusedMatMulAttrs | undefined)?.activation : undefined;
  const act = activation && unaryAct(activation.opType, activation.attrs);
  if (activation && !act) return undefined;
  const hasResidual = fused && !!node.inputs[3];
  const packed = pack(engine, scratch, w, false, bias);
  return (inputs, attrs, ctx) => {
    const a = inputs[0];
    if (!(a instanceof Tensor) || a.type !== 'float32' || a.dims.length < 1) return node.op.run(inputs, attrs, ctx);
    const dims = withBiasRank(matmulPlan(a.dims, w.dims).outDims, bias);
    // A residual that would broadcast (or widen the output) is left to the reference kernel.
    const residual = hasResidual ? f32Input(inputs[3]) : undefined;
    if (hasResidual && !(residual && sameShape(residual.dims, dims))) return node.op.run(inputs, attrs, ctx);
    return [runPacked(engine, scratch, node, g, packed, a, dims, { residual, act })];
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
    return [runPacked(engine, scratch, node, g, packed, a, [rows, packed.n])];
  };
}
