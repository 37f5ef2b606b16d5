/**
 * com.wasmnn::Attention on the engine: Q, Kᵀ, V and the mask go into engine memory
 * once; Q·Kᵀ and P·V run on the SIMD GEMM and the scores are scaled, masked and
 * normalised in place (attention_softmax_f32), so no intermediate returns to
 * JavaScript. Shapes and broadcasting come from the op's own MatMul plans.
 */
import type { IrNode } from '../../graph/ir.js';
import type { AttentionAttrs } from '../../ops/nn/attention.js';
import { matmulPlan, type MatMulPlan } from '../../ops/nn/matmul-plan.js';
import type { Kernel } from '../../ops/op.js';
import { offsetTable } from '../../ops/reduce/reduce-plan.js';
import { broadcastShapes, broadcastStrides, sameShape } from '../../ops/util/shape.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { f32Input, put, take } from './io.js';
import type { Scratch } from './scratch.js';
import { packBatches, runPlan } from './matmul-dynamic-kernel.js';
import { SOFTMAX_COST } from './norm-kernels.js';
import { rowTasks } from './split-rows.js';

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Bump layout of one run's buffers inside the scratch region. */
class Layout {
  bytes = 0;
  take(n: number): number {
    const at = this.bytes;
    this.bytes += align16(n);
    return at;
  }
}

/** Packs B's batch matrices (at bPtr) then runs every GEMM of `plan` from aPtr into cPtr. */
function product(engine: Engine, plan: MatMulPlan, aPtr: number, bPtr: number, bSize: number, packed: number, cPtr: number): void {
  packBatches(engine, bPtr, plan.K, plan.N, bSize / (plan.K * plan.N), packed);
  runPlan(engine, plan, aPtr, packed, cPtr);
}

export function attentionKernel(engine: Engine, scratch: Scratch, node: IrNode): Kernel<unknown> {
  const { scale, divide } = node.attrs as AttentionAttrs;
  return (inputs, attrs, ctx) => {
    const q = f32Input(inputs[0]), kt = f32Input(inputs[1]), v = f32Input(inputs[2]);
    const mask = f32Input(inputs[3]);
    const ok = q && kt && v && (inputs[3] === undefined || mask) && [q, kt, v].every((t) => t.dims.length >= 2 && t.size > 0);
    if (!ok) return node.op.run(inputs, attrs, ctx);
    const qk = matmulPlan(q.dims, kt.dims);
    const sDims = qk.outDims;
    // A mask that would widen the scores is the reference kernel's error to report.
    if (mask && !sameShape(broadcastShapes(sDims, mask.dims), sDims)) return node.op.run(inputs, attrs, ctx);
    const pv = matmulPlan(sDims, v.dims);
    const x = engine.exports;
    const L = qk.N, sSize = qk.aOffsets.length * qk.rows * L, ySize = pv.aOffsets.length * pv.rows * pv.N;
    const rows = sSize / L;
    const lay = new Layout();
    const at = {
      q: lay.take(q.size * 4), kt: lay.take(kt.size * 4), ktPacked: lay.take((kt.size / (qk.K * L)) * x.packed_b_bytes(qk.K, L)),
      v: lay.take(v.size * 4), vPacked: lay.take((v.size / (pv.K * pv.N)) * x.packed_b_bytes(pv.K, pv.N)),
      s: lay.take(sSize * 4), y: lay.take(ySize * 4), mask: lay.take((mask?.size ?? 0) * 4), offs: lay.take(mask ? rows * 4 : 0),
    };
    const base = scratch.get(lay.bytes);
    const ptr = (off: number) => base + off;
    put(engine, ptr(at.q), q.data as Float32Array);
    put(engine, ptr(at.kt), kt.data as Float32Array);
    put(engine, ptr(at.v), v.data as Float32Array);
    let stride = 0;
    if (mask) {
      put(engine, ptr(at.mask), mask.data as Float32Array);
      const st = broadcastStrides(mask.dims, sDims);
      stride = st[st.length - 1]!;
      new Int32Array(x.memory.buffer, ptr(at.offs), rows).set(offsetTable(sDims.slice(0, -1).map((d, i) => [d, st[i]!] as [number, number])));
    }
    product(engine, qk, ptr(at.q), ptr(at.kt), kt.size, ptr(at.ktPacked), ptr(at.s));
    // Score rows are independent: split over the engine's threads (each task reads its rows' mask offsets).
    rowTasks(engine, rows, sSize * SOFTMAX_COST, (r0, r1) => ({
      fn: 'attention_softmax_f32',
      args: [ptr(at.s) + r0 * L * 4, r1 - r0, L, scale, divide ? 1 : 0, mask ? ptr(at.mask) : 0, ptr(at.offs) + r0 * 4, stride],
    }));
    product(engine, pv, ptr(at.s), ptr(at.v), v.size, ptr(at.vPacked), ptr(at.y));
    return [new Tensor('float32', take(engine, ptr(at.y), ySize), pv.outDims)];
  };
}
