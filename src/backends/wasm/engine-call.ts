/**
 * One kernel call on engine memory. A float32 input that an engine kernel left resident
 * (resident.ts) is read in place; any other is copied in once. Outputs are written into blocks
 * the session's memory plan places in its arena, whose bytes later values reuse once every
 * reader in the graph has consumed this one; they reach JavaScript only when something reads
 * `data` (a reference kernel, or the caller of run()). Chains of engine kernels therefore pass
 * activations through engine memory without copies, and a planned run allocates nothing.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Tensor } from '../../tensor.js';
import type { Engine } from './engine.js';
import { put } from './io.js';
import { readersOf, residencyOf } from './resident.js';
import { align16, type Scratch } from './scratch.js';

/** What a kernel call reads and writes. */
export interface EngineCall {
  readonly node: IrNode;
  /** The graph the node runs in (readers are counted there). */
  readonly g: IrGraph;
  /**
   * float32 tensors the kernel reads from engine memory, by the kernel's own order; an
   * undefined entry gets address 0 (absent, or a constant the kernel keeps in the engine).
   */
  readonly inputs: readonly (Tensor | undefined)[];
  /** Dims of each float32 output, in the node's output order. */
  readonly outputs: readonly (readonly number[])[];
  /** Bytes of kernel scratch, passed to the body as `work` (16-byte aligned). */
  readonly workBytes?: number;
}

/** Bytes for n floats, rounded to whole 8-float blocks: kernels may read (never use) a block's tail. */
const blockBytes = (n: number): number => Math.max(1, Math.ceil(n / 8)) * 32;

const sizeOf = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/**
 * The JavaScript array output i is copied into, when the run hands that output to its caller
 * and the engine has worker threads (else undefined). A kernel that asks for it must fill it
 * entirely, in the same call, with what it writes to the output's block; it can then copy parts
 * as they finish, on the calling thread while worker threads still compute the rest, instead of
 * the whole after the run. One thread has nothing to overlap the copy with, and its plain
 * memory is copied out faster by slice (io.ts copyOut) than into an array made beforehand.
 */
export type HandedOut = (i: number) => Float32Array | undefined;

/**
 * Runs `body(ins, outs, work, handedOut)` with engine addresses of the inputs, outputs and
 * scratch, and returns the outputs as tensors backed by engine memory.
 */
export function engineCall(engine: Engine, scratch: Scratch, call: EngineCall,
  body: (ins: readonly number[], outs: readonly number[], work: number, handedOut: HandedOut) => void): Tensor[] {
  const res = residencyOf(engine);
  const held = call.inputs.map((t) => res.holding(t));
  const found = held.map((b) => b?.ptr);
  // Claim output blocks first: claiming may grow memory, which must happen before any view is made.
  const keep = held.filter((b) => b !== undefined);
  const blocks = call.outputs.map((dims) => {
    const b = res.claim(blockBytes(sizeOf(dims)), keep);
    keep.push(b);
    return b;
  });
  const workBytes = align16(call.workBytes ?? 0);
  let copyBytes = 0;
  call.inputs.forEach((t, i) => { if (t && found[i] === undefined) copyBytes += blockBytes(t.size); });
  const work = scratch.get(workBytes + copyBytes);
  let p = work + workBytes;
  const ins = call.inputs.map((t, i) => {
    if (!t) return 0;
    const r = found[i];
    if (r !== undefined) return r;
    const at = p;
    put(engine, at, t.data as Float32Array);
    p += blockBytes(t.size);
    return at;
  });
  const copies: (Float32Array | undefined)[] = [];
  const handedOut: HandedOut = (i) => {
    const name = call.node.outputs[i];
    if (engine.threads <= 1 || !name || !res.handedOut(call.g, name)) return undefined;
    return (copies[i] ??= new Float32Array(sizeOf(call.outputs[i]!)));
  };
  body(ins, blocks.map((b) => b.ptr), work, handedOut);
  for (const t of call.inputs) res.consumed(t, call.g);
  return blocks.map((b, i) => {
    const dims = call.outputs[i]!;
    return res.publish(b, dims, sizeOf(dims), call.g, readersOf(call.g, call.node.outputs[i] ?? ''), copies[i]);
  });
}
