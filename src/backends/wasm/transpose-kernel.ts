/**
 * Transpose of float32 tensors on the engine (transpose_f32): the permutation is coalesced as
 * the reference does it (unit axes dropped, input-adjacent axes merged), and up to four
 * remaining axes run as one strided copy, split by output rows over the engine's threads.
 * Identity permutations, more than four coalesced axes and other types use the reference kernel.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { coalescePerm } from '../../ops/tensor/transpose.js';
import { stridesOf } from '../../ops/util/shape.js';
import type { Engine } from './engine.js';
import { f32Input } from './io.js';
import { engineCall } from './engine-call.js';
import type { Scratch } from './scratch.js';
import { PARALLEL_MIN_ELEMENTS } from './split.js';
import { rowTasks } from './split-rows.js';

/** Output dims and the input's element strides along them, as four dims: unit dims go after the first, so rows split on a real axis. */
export function transposeLoop(dims: readonly number[], perm: readonly number[]): { dims: number[]; strides: number[] } | undefined {
  const c = coalescePerm(dims, perm);
  const k = c.perm.length;
  if (k < 2 || k > 4) return undefined;
  const st = stridesOf(c.dims);
  const out = c.perm.map((a) => c.dims[a]!), strides = c.perm.map((a) => st[a]!);
  const fill = 4 - k;
  return {
    dims: [out[0]!, ...new Array<number>(fill).fill(1), ...out.slice(1)],
    strides: [strides[0]!, ...new Array<number>(fill).fill(0), ...strides.slice(1)],
  };
}

export function transposeKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> {
  const { perm } = node.attrs as { perm?: readonly number[] };
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const r = x?.dims.length ?? 0;
    const p = perm ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    // A bad perm is the reference kernel's error to report.
    const valid = p.length === r && new Set(p).size === r && p.every((a) => a >= 0 && a < r);
    const loop = x && x.size > 0 && valid ? transposeLoop(x.dims, p) : undefined;
    if (!x || !loop) return node.op.run(inputs, attrs, ctx);
    const [d0, d1, d2, d3] = loop.dims as [number, number, number, number];
    const [s0, s1, s2, s3] = loop.strides as [number, number, number, number];
    return engineCall(engine, scratch, { node, g, inputs: [x], outputs: [p.map((a) => x.dims[a]!)] }, ([base], [y]) =>
      rowTasks(engine, d0, x.size, (r0, r1) => ({ fn: 'transpose_f32', args: [base!, y!, d0, d1, d2, d3, s0, s1, s2, s3, r0, r1] }), 1, PARALLEL_MIN_ELEMENTS));
  };
}
