/**
 * com.wasmnn::Attention on the engine: Q, Kᵀ, V and the mask are read in engine memory
 * (engineCall); Q·Kᵀ and P·V run on the SIMD GEMM and the scores are scaled, masked and
 * normalised in place (attention_softmax_f32), so no intermediate returns to
 * JavaScript. Shapes and broadcasting come from the op's own MatMul plans. In the
 * packed-heads form each task runs whole heads (attention_heads_f32), reading their
 * columns of Q, K and V in place.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import { packedHeadsPlan, type AttentionAttrs } from '../../ops/nn/attention.js';
import { matmulPlan, type MatMulPlan } from '../../ops/nn/matmul-plan.js';
import type { Kernel } from '../../ops/op.js';
import { offsetTable } from '../../ops/reduce/reduce-plan.js';
import { broadcastShapes, broadcastStrides, sameShape } from '../../ops/util/shape.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { f32Input } from './io.js';
import { engineCall } from './engine-call.js';
import { PARALLEL_MIN_WORK, ranges, taskCount } from './split.js';
import type { Task } from './threads/pool.js';
import { align16, type Scratch } from './scratch.js';
import { packBatches, runPlan } from './matmul-dynamic-kernel.js';
import { SOFTMAX_COST } from './norm-kernels.js';
import { rowTasks } from './split-rows.js';

/** Bump layout of one run's buffers inside the work region. */
class Layout {
  bytes = 0;
  take(n: number): number {
    const at = this.bytes;
    this.bytes += align16(n);
    return at;
  }
}

/** The mask's element offset for each score row of sDims, and its stride along a row; the last shapes' table is reused. */
const maskTables = new Map<string, { offsets: Int32Array; stride: number }>();
function maskRows(mask: Tensor, sDims: readonly number[]): { offsets: Int32Array; stride: number } {
  const key = `${mask.dims.join(',')}|${sDims.join(',')}`;
  let t = maskTables.get(key);
  if (!t) {
    const st = broadcastStrides(mask.dims, sDims);
    t = { offsets: offsetTable(sDims.slice(0, -1).map((d, i) => [d, st[i]!] as [number, number])), stride: st[st.length - 1]! };
    // A model has one or two mask shapes; keep the table bounded all the same.
    if (maskTables.size >= 16) maskTables.clear();
    maskTables.set(key, t);
  }
  return t;
}

/** Packs B's batch matrices (at bPtr) then runs every GEMM of `plan` from aPtr into cPtr. */
function product(engine: Engine, plan: MatMulPlan, aPtr: number, bPtr: number, bSize: number, packed: number, cPtr: number): void {
  packBatches(engine, bPtr, plan.K, plan.N, bSize / (plan.K * plan.N), packed);
  runPlan(engine, plan, aPtr, packed, cPtr);
}

export function attentionKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  const { scale, divide, heads } = node.attrs as AttentionAttrs;
  return (inputs, attrs, ctx) => {
    const q = f32Input(inputs[0]), k = f32Input(inputs[1]), v = f32Input(inputs[2]);
    const mask = f32Input(inputs[3]);
    const ok = q && k && v && (inputs[3] === undefined || mask) && [q, k, v].every((t) => t.dims.length >= 2 && t.size > 0);
    if (!ok) return node.op.run(inputs, attrs, ctx);
    if (heads > 0) {
      // Shapes that do not fit the heads raise the op's own OpError (the reference checks the same).
      const fit = packedHeadsPlan(q.dims, k.dims, v.dims, heads);
      return packedHeads(engine, scratch, node, g, fit, q, k, v, mask, scale, divide, heads) ?? node.op.run(inputs, attrs, ctx);
    }
    const kt = k;
    const qk = matmulPlan(q.dims, kt.dims);
    const sDims = qk.outDims;
    // A mask that would widen the scores is the reference kernel's error to report.
    if (mask && !sameShape(broadcastShapes(sDims, mask.dims), sDims)) return node.op.run(inputs, attrs, ctx);
    const pv = matmulPlan(sDims, v.dims);
    const x = engine.exports;
    const L = qk.N, sSize = qk.aOffsets.length * qk.rows * L;
    const rows = sSize / L;
    const lay = new Layout();
    const at = {
      ktPacked: lay.take((kt.size / (qk.K * L)) * x.packed_b_bytes(qk.K, L)),
      vPacked: lay.take((v.size / (pv.K * pv.N)) * x.packed_b_bytes(pv.K, pv.N)),
      s: lay.take(sSize * 4), offs: lay.take(mask ? rows * 4 : 0),
    };
    const m = mask ? maskRows(mask, sDims) : undefined;
    return engineCall(engine, scratch, { node, g, inputs: [q, kt, v, mask], outputs: [pv.outDims], workBytes: lay.bytes }, ([qPtr, ktPtr, vPtr, maskPtr], [yPtr], work) => {
      if (m) new Int32Array(x.memory.buffer, work + at.offs, rows).set(m.offsets);
      product(engine, qk, qPtr!, ktPtr!, kt.size, work + at.ktPacked, work + at.s);
      // Score rows are independent: split over the engine's threads (each task reads its rows' mask offsets).
      rowTasks(engine, rows, sSize * SOFTMAX_COST, (r0, r1) => ({
        fn: 'attention_softmax_f32',
        args: [work + at.s + r0 * L * 4, r1 - r0, L, scale, divide ? 1 : 0, maskPtr!, work + at.offs + r0 * 4, m?.stride ?? 0],
      }));
      product(engine, pv, work + at.s, vPtr!, v.size, work + at.vPacked, yPtr!);
    });
  };
}

/** The packed-heads form: heads read in place from [B, S, H·D], split over the engine's threads. */
function packedHeads(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph, p: { B: number; S: number; L: number; Dk: number; Dv: number },
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | undefined, scale: number, divide: boolean, H: number): Tensor[] | undefined {
  const { B, S, L, Dk, Dv } = p;
  const sDims = [B, H, S, L];
  if (mask && !sameShape(broadcastShapes(sDims, mask.dims), sDims)) return undefined;
  const x = engine.exports;
  const m = mask ? maskRows(mask, sDims) : undefined;
  // Tasks take whole heads of one batch item: about two per thread over the whole batch.
  const parts = taskCount(engine, B * H * S * L * (Dk + Dv), PARALLEL_MIN_WORK);
  const headRanges = ranges(H, Math.max(1, Math.ceil(parts / B)));
  const taskBytes = align16(x.attention_heads_work_bytes(S, L, Dk, Dv));
  const tasks = B * headRanges.length;
  const offsBytes = align16(m ? m.offsets.length * 4 : 0);
  const E = H * Dk, Ev = H * Dv;
  return engineCall(engine, scratch, { node, g, inputs: [q, k, v, mask], outputs: [[B, S, Ev]], workBytes: offsBytes + tasks * taskBytes }, ([qp, kp, vp, mp], [yp], work) => {
    if (m) new Int32Array(x.memory.buffer, work, m.offsets.length).set(m.offsets);
    const jobs: Task[] = [];
    for (let b = 0; b < B; b++) {
      headRanges.forEach(([h0, h1], i) => jobs.push({
        fn: 'attention_heads_f32',
        args: [qp! + b * S * E * 4, kp! + b * L * E * 4, vp! + b * L * Ev * 4, yp! + b * S * Ev * 4, S, L, Dk, Dv, E, E, Ev, Ev, h0, h1,
          scale, divide ? 1 : 0, mp!, work + b * H * S * 4, m?.stride ?? 0, work + offsBytes + (b * headRanges.length + i) * taskBytes],
      }));
    }
    if (jobs.length > 1 && parts > 1) engine.parallel(jobs);
    else engine.serial(jobs);
  });
}
