/**
 * The WebAssembly backend: SIMD kernels from the AssemblyScript engine for the
 * ops it accelerates, the reference kernel for every other node, on the same data.
 */
import type { IrGraph, IrNode } from '../../graph/ir.js';
import type { Kernel } from '../../ops/op.js';
import type { Backend } from '../backend.js';
import { Engine, type EngineFlavor } from './engine.js';
import { convKernel } from './conv-kernel.js';
import { depthwiseKernel } from './depthwise-kernel.js';
import { winogradKernel } from './winograd-kernel.js';
import { pointwiseDepthwiseKernel } from './pointwise-depthwise-kernel.js';
import { binaryKernel, clipKernel, unaryKernel } from './elementwise-kernels.js';
import { gemmKernel, matmulKernel } from './gemm-kernels.js';
import { layerNormKernel, softmaxKernel } from './norm-kernels.js';
import { attentionKernel } from './attention-kernel.js';
import { transposeKernel } from './transpose-kernel.js';
import { viewKernel } from './view-kernels.js';
import { concatKernel, gatherKernel, padKernel, sliceKernel, splitKernel } from './movement-kernels.js';
import { convTransposeKernel } from './conv-transpose-kernel.js';
import { resizeKernel } from './resize-kernel.js';
import { batchNormKernel, instanceNormKernel, lrnKernel, reduceKernel } from './reduce-kernels.js';
import { matmulDynamicKernel } from './matmul-dynamic-kernel.js';
import { globalAveragePoolKernel, poolKernel } from './pool-kernels.js';
import { recordHeld } from './io.js';
import { residencyOf } from './resident.js';
import { computeHalfAsFloat } from '../../graph/passes/half-as-float.js';
import { Scratch } from './scratch.js';
import type { Tensor } from '../../tensor.js';

type Factory = (engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph) => Kernel<unknown> | undefined;

/** Factories per op, tried in order: the first kernel returned wins; none means the reference kernel. */
const FACTORIES: Record<string, readonly Factory[]> = {
  '::MatMul': [matmulKernel, matmulDynamicKernel],
  'com.wasmnn::FusedMatMul': [matmulKernel],
  '::Gemm': [gemmKernel],
  '::Conv': [winogradKernel, depthwiseKernel, convKernel],
  'com.wasmnn::FusedConv': [winogradKernel, depthwiseKernel, convKernel],
  'com.wasmnn::PointwiseDepthwise': [pointwiseDepthwiseKernel],
  '::MaxPool': [poolKernel],
  '::AveragePool': [poolKernel],
  '::GlobalAveragePool': [globalAveragePoolKernel],
  '::Add': [binaryKernel],
  '::Sub': [binaryKernel],
  '::Mul': [binaryKernel],
  '::Div': [binaryKernel],
  '::Relu': [unaryKernel],
  '::LeakyRelu': [unaryKernel],
  '::HardSigmoid': [unaryKernel],
  '::HardSwish': [unaryKernel],
  '::Sigmoid': [unaryKernel],
  '::Tanh': [unaryKernel],
  '::Gelu': [unaryKernel],
  '::Exp': [unaryKernel],
  '::Erf': [unaryKernel],
  '::Clip': [clipKernel],
  '::Softmax': [softmaxKernel],
  '::LayerNormalization': [layerNormKernel],
  '::ReduceSum': [reduceKernel],
  '::ReduceMean': [reduceKernel],
  '::ReduceMax': [reduceKernel],
  '::ReduceMin': [reduceKernel],
  '::ReduceProd': [reduceKernel],
  '::ReduceSumSquare': [reduceKernel],
  '::ReduceL1': [reduceKernel],
  '::ReduceL2': [reduceKernel],
  '::ReduceLogSum': [reduceKernel],
  '::ReduceLogSumExp': [reduceKernel],
  '::InstanceNormalization': [instanceNormKernel],
  '::BatchNormalization': [batchNormKernel],
  '::LRN': [lrnKernel],
  'com.wasmnn::Attention': [attentionKernel],
  '::Transpose': [transposeKernel],
  '::Reshape': [viewKernel],
  '::Flatten': [viewKernel],
  '::Squeeze': [viewKernel],
  '::Unsqueeze': [viewKernel],
  '::Identity': [viewKernel],
  '::Concat': [concatKernel],
  '::Split': [splitKernel],
  '::Slice': [sliceKernel],
  '::Pad': [padKernel],
  '::Gather': [gatherKernel],
  '::ConvTranspose': [convTransposeKernel],
  '::Resize': [resizeKernel],
  '::Upsample': [resizeKernel],
};

function firstKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  for (const f of FACTORIES[`${node.domain}::${node.opType}`] ?? []) {
    const k = f(engine, scratch, node, g);
    if (k) return k;
  }
  return undefined;
}

/** Ops (`domain::OpType`) the engine has kernels for; the rest run on the reference kernels. */
export const WASM_NATIVE_OPS: readonly string[] = Object.keys(FACTORIES);

/** The wasm backend, with what tests and diagnostics read of its engine. */
export interface WasmBackend extends Backend {
  /** Whether the worker pool is running. */
  threadsActive(): boolean;
  /** Bytes of engine memory held for activations, and reserved in all. */
  memory(): { activations: number; engine: number };
}

/**
 * Creates a backend with its own engine instance (one per session). With `startThreads` the
 * worker pool starts now (threads the caller asked for); otherwise on the first large job.
 */
export async function createWasmBackend(flavor: EngineFlavor, threads = 1, startThreads = false): Promise<WasmBackend> {
  const engine = await Engine.create(flavor, threads);
  if (startThreads) await engine.startThreads();
  const scratch = new Scratch(engine);
  // Kernels are chosen, and weights packed, once per node of each graph: graphs sharing a
  // node may differ in which of its inputs are constants (the session's override graph).
  const chosen = new WeakMap<IrGraph, WeakMap<IrNode, { kernel: Kernel<unknown>; held: ReadonlySet<Tensor> }>>();
  const entry = (node: IrNode, g: IrGraph) => {
    let perGraph = chosen.get(g);
    if (!perGraph) chosen.set(g, (perGraph = new WeakMap()));
    let e = perGraph.get(node);
    if (!e) {
      const { result, held } = recordHeld(() => firstKernel(engine, scratch, node, g));
      e = { kernel: result ?? node.op.run, held };
      perGraph.set(node, e);
    }
    return e;
  };
  return {
    name: 'wasm',
    flavor,
    kernelFor: (node, g) => entry(node, g).kernel,
    heldConstants: (node, g) => entry(node, g).held,
    // The engine's kernels are float32: float16 models run on them through casts (see half-as-float.ts).
    lowerGraph: (g) => computeHalfAsFloat(g),
    nativeOps: () => WASM_NATIVE_OPS,
    threads: engine.threads,
    dispose: () => engine.dispose(),
    threadsActive: () => engine.poolActive,
    memory: () => ({ activations: residencyOf(engine).bytes, engine: engine.reserved }),
    settle: () => engine.settle(),
    beginRun: (key, out) => residencyOf(engine).beginRun(key, out),
    endRun: (completed) => residencyOf(engine).endRun(completed),
  };
}
