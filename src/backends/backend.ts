import type { IrGraph, IrNode } from '../graph/ir.js';
import type { Kernel } from '../ops/op.js';
import type { Tensor } from '../tensor.js';

/** The values a run hands to its caller: outputs of `graph`, the graph the run executes. */
export interface RunOutputs {
  readonly graph: IrGraph;
  readonly names: readonly string[];
}

/** An execution provider: supplies a kernel for each node, falling back to the op's reference kernel. */
export interface Backend {
  /** Name as given in `executionProviders`. */
  readonly name: string;
  /** Engine build in use, for backends that have several ('relaxed', 'simd'). */
  readonly flavor?: string;
  /** The kernel for a node of graph `g` (called once per node; may prepare constant weights). */
  kernelFor(node: IrNode, g: IrGraph): Kernel<unknown>;
  /**
   * Constant inputs of `node` (in graph `g`) that its kernel copied into backend memory
   * and does not read from JS on its normal path; prepares the kernel if needed.
   */
  heldConstants?(node: IrNode, g: IrGraph): ReadonlySet<Tensor>;
  /**
   * A rewrite of the loaded graph for this backend, applied before the shared optimisation
   * passes (the wasm backend computes float16 nodes in float32 there).
   */
  lowerGraph?(g: IrGraph): IrGraph;
  /** Ops (as `domain::OpType`) this backend runs with its own kernels rather than the reference. */
  nativeOps(): readonly string[];
  /** Threads its kernels split work over. */
  readonly threads?: number;
  /** Frees what the backend holds beyond garbage collection (worker threads). */
  dispose?(): void;
  /** Something to await before the next run (worker threads still starting), or undefined. */
  settle?(): Promise<void> | undefined;
  /**
   * A run starts; `key` is its feeds' signature (names, types, dims). Runs with one signature
   * make the same allocations, so the wasm backend plans their memory once per key. `out` names
   * the values of `graph` the run hands to its caller (copied out of the backend at its end).
   */
  beginRun?(key: string, out?: RunOutputs): void;
  /** The run started by beginRun ended, its outputs copied out (`completed`) or by an error. */
  endRun?(completed: boolean): void;
}
