/**
 * Reshape, Flatten, Squeeze, Unsqueeze and Identity on engine-resident float32 values: the
 * output is a view of the same engine memory under new dims (resident.ts alias), so a chain
 * like Conv → Flatten → Gemm or MatMul → Reshape → Softmax copies nothing. The reference
 * kernel still decides the output dims (and raises its typed errors); it runs on a stand-in
 * whose data is a view of engine memory, so it copies nothing either.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { copyOut, f32Input } from './io.js';
import { readersOf, residencyOf } from './resident.js';

export function viewKernel(engine: Engine, _scratch: unknown, node: IrNode, g: IrGraph): Kernel<unknown> {
  const res = residencyOf(engine);
  return (inputs, attrs, ctx) => {
    const x = f32Input(inputs[0]);
    const ptr = res.find(x);
    if (!x || ptr === undefined) return node.op.run(inputs, attrs, ctx);
    const mem = engine.f32(ptr, x.size);
    const stand = new Tensor('float32', mem, x.dims);
    const outs = node.op.run([stand, ...inputs.slice(1)], attrs, ctx);
    const y = outs[0];
    // Only a pure view may alias the block; anything else gets its own copy, never engine memory.
    const view = outs.length === 1 && y instanceof Tensor && y.data === mem ? res.alias(x, y.dims, g, readersOf(g, node.outputs[0] ?? '')) : undefined;
    if (view) {
      res.consumed(x, g);
      return [view];
    }
    const inEngine = (o: unknown): o is Tensor => o instanceof Tensor && (o.data as unknown as ArrayBufferView).buffer === mem.buffer;
    return outs.map((o) => (inEngine(o) ? new Tensor(o.type, copyOut(o.data as Float32Array), o.dims) : o));
  };
}
