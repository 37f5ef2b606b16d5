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
import { binaryKernel, clipKernel, unaryKernel } from './elementwise-kernels.js';
import { gemmKernel, matmulKernel } from './gemm-kernels.js';
import { layerNormKernel, softmaxKernel } from './norm-kernels.js';
import { globalAveragePoolKernel, poolKernel } from './pool-kernels.js';
import { Scratch } from './scratch.js';

type Factory = (engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph) => Kernel<unknown> | undefined;

/** Factories per op, tried in order: the first kernel returned wins; none means the reference kernel. */
const FACTORIES: Record<string, readonly Factory[]> = {
  '::MatMul': [matmulKernel],
  '::Gemm': [gemmKernel],
  '::Conv': [depthwiseKernel, convKernel],
  'com.wasmnn::FusedConv': [depthwiseKernel, convKernel],
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
};

function firstKernel(engine: Engine, scratch: Scratch, node: IrNode, g: IrGraph): Kernel<unknown> | undefined {
  for (const f of FACTORIES[`${node.domain}::${node.opType}`] ?? []) {
    const k = f(engine, scratch, node, g);
    if (k) return k;
  }
  return undefined;
}

/** Creates a backend with its own engine instance (one per session). */
export async function createWasmBackend(flavor: EngineFlavor): Promise<Backend> {
  const engine = await Engine.create(flavor);
  const scratch = new Scratch(engine);
  // Kernels are chosen, and weights packed, once per node.
  const chosen = new WeakMap<IrNode, Kernel<unknown>>();
  return {
    name: 'wasm',
    flavor,
    kernelFor(node: IrNode, g: IrGraph): Kernel<unknown> {
      let k = chosen.get(node);
      if (!k) {
        k = firstKernel(engine, scratch, node, g) ?? node.op.run;
        chosen.set(node, k);
      }
      return k;
    },
    nativeOps: () => Object.keys(FACTORIES),
  };
}
