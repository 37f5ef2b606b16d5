/**
 * What this host offers wasmnn. WebAssembly features come from probe modules
 * that really use each feature's instructions (see backends/wasm/probe.ts);
 * validating an empty module would prove nothing.
 */
import { probeExceptions, probeMemory64, probeThreads, wasmFeatures } from './backends/wasm/probe.js';

/** The result of {@link features}. */
export interface Features {
  /** WebAssembly is available at all. */
  webassembly: boolean;
  /** Final-spec 128-bit SIMD. */
  simd: boolean;
  /** Relaxed SIMD (fused multiply-add and friends). */
  relaxedSimd: boolean;
  /** Shared memory with atomics, and a usable SharedArrayBuffer (browsers need cross-origin isolation). */
  threads: boolean;
  /** 64-bit memory addressing. */
  memory64: boolean;
  /** Exception handling (tags, try/catch/throw). */
  exceptions: boolean;
  /** The WebGPU API is present (`navigator.gpu`); an adapter may still be refused. */
  webgpu: boolean;
  /** The WebNN API is present (`navigator.ml`). */
  webnn: boolean;
  /** The page is cross-origin isolated (browsers; false elsewhere, where SharedArrayBuffer needs no isolation). */
  crossOriginIsolated: boolean;
  /** Logical processors available (navigator.hardwareConcurrency, or os.availableParallelism in Node). */
  hardwareConcurrency: number;
}

let cached: Readonly<Features> | undefined;

/**
 * Detects what this host supports. Computed on the first call and cached.
 *
 * @example
 * if (!features().simd) console.log('falling back to the JavaScript backend');
 */
export function features(): Readonly<Features> {
  cached ??= Object.freeze(detect());
  return cached;
}

function detect(): Features {
  const nav = (globalThis as { navigator?: { gpu?: unknown; ml?: unknown; hardwareConcurrency?: number } }).navigator;
  const webassembly = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const wasm = wasmFeatures();
  return {
    webassembly,
    simd: wasm.simd,
    relaxedSimd: wasm.relaxedSimd,
    threads: webassembly && probeThreads(),
    memory64: webassembly && probeMemory64(),
    exceptions: webassembly && probeExceptions(),
    webgpu: !!nav?.gpu,
    webnn: !!nav?.ml,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: nav?.hardwareConcurrency ?? nodeParallelism() ?? 1,
  };
}

function nodeParallelism(): number | undefined {
  // process.getBuiltinModule (Node ≥ 20.16) keeps features() synchronous without a static node: import.
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const os = getBuiltin?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  return os ? (os.availableParallelism?.() ?? os.cpus().length) : undefined;
}
