/**
 * MatMul on the engine when B is not one constant 2-D matrix: both operands
 * computed at run time (attention's Q·Kᵀ and P·V), or a constant B with batch
 * dims. numpy batching and broadcasting come from the op's own plan; each of
 * B's batch matrices is packed once (per run, or at session creation when B is
 * a constant) and reused by every GEMM that broadcasts it.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { copyData } from '../../onnx/lazy-tensor.js';
import { matmulPlan, type MatMulPlan } from '../../ops/nn/matmul-plan.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { f32Input, noteHeld } from './io.js';
import { engineCall } from './engine-call.js';
import type { Scratch } from './scratch.js';
import { gemmCalls, type GemmCall } from './parallel-gemm.js';

/** Packs every K×N batch matrix of row-major B (already in engine memory at bPtr) into panels at `out`; returns the bytes per matrix. */
export function packBatches(engine: Engine, bPtr: number, K: number, N: number, batches: number, out: number): number {
  const x = engine.exports;
  const stride = x.packed_b_bytes(K, N);
  for (let t = 0; t < batches; t++) x.pack_b_f32(bPtr + t * K * N * 4, K, N, N, 0, out + t * stride);
  return stride;
}

/** Runs every GEMM of `plan`: A at aPtr (row-major, all batches), B's matrices packed at `packed`, C at cPtr. */
export function runPlan(engine: Engine, plan: MatMulPlan, aPtr: number, packed: number, cPtr: number): void {
  const { N, K, rows } = plan;
  const x = engine.exports;
  const pb = x.packed_b_bytes(K, N);
  const calls: GemmCall[] = plan.aOffsets.map((aOff, t) => ({
    a: aPtr + aOff * 4, lda: K, bp: packed + (plan.bOffsets[t]! / (K * N)) * pb, c: cPtr + t * rows * N * 4, ldc: N, m: rows, n: N, k: K,
  }));
  gemmCalls(engine, calls);
}

/**
 * Packed panels of a constant B with batch dims, made once per session. B passes
 * through scratch on its way, so the engine keeps only the packed copy (and the
 * session may drop the JS one: noteHeld).
 */
function packConstant(engine: Engine, scratch: Scratch, w: Tensor): number {
  const K = w.dims.length === 1 ? w.dims[0]! : w.dims[w.dims.length - 2]!;
  const N = w.dims.length === 1 ? 1 : w.dims[w.dims.length - 1]!;
  const batches = w.size / (K * N);
  const packed = engine.alloc(batches * engine.exports.packed_b_bytes(K, N));
  const raw = scratch.get(w.size * 4);
  copyData(w, engine.f32(raw, w.size));
  packBatches(engine, raw, K, N, batches, packed);
  noteHeld(w);
  return packed;
}

/** MatMul of float32 operands of any rank ≥ 1 with broadcast batch dims; the reference kernel for the rest. */
export function matmulDynamicKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  const w = g.initializers.get(node.inputs[1] ?? '');
  const constB = w && w.type === 'float32' && w.size > 0 ? packConstant(engine, scratch, w) : undefined;
  return (inputs, attrs, ctx) => {
    const a = f32Input(inputs[0]), b = f32Input(inputs[1]);
    if (!a || !b || a.dims.length === 0 || b.dims.length === 0) return node.op.run(inputs, attrs, ctx);
    const plan = matmulPlan(a.dims, b.dims);
    const { M, N, K } = plan;
    // Empty products (a zero K gives zeros) are left to the reference kernel.
    if (M * N * K === 0 || plan.aOffsets.length === 0) return node.op.run(inputs, attrs, ctx);
    const x = engine.exports;
    const pb = x.packed_b_bytes(K, N);
    const bBatches = b.size / (K * N);
    // A feed may override an initializer (old IR): only the initializer itself is pre-packed.
    const fromConst = constB !== undefined && b === w;
    const [y] = engineCall(engine, scratch, { node, g, inputs: [a, fromConst ? undefined : b], outputs: [plan.outDims], workBytes: fromConst ? 0 : bBatches * pb },
      ([aPtr, bPtr], [cPtr], work) => {
        const packed = fromConst ? constB! : work;
        if (!fromConst) packBatches(engine, bPtr!, K, N, bBatches, packed);
        runPlan(engine, plan, aPtr!, packed, cPtr!);
      });
    return [y!];
  };
}
