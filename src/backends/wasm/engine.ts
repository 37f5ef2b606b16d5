/**
 * One instance of the AssemblyScript engine (assembly/) with its own linear
 * memory. A session owns its engine: dropping the session drops the memory.
 */
import { WasmnnError } from '../../errors.js';
import { wasmFeatures } from './probe.js';

export type EngineFlavor = 'relaxed' | 'simd';

interface EngineExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  packed_b_bytes(k: number, n: number): number;
  pack_b_f32(b: number, k: number, n: number, ldb: number, transB: number, out: number): void;
  conv_col_bytes(cig: number, kh: number, kw: number, oh: number, ow: number): number;
  conv2d_f32(x: number, ci: number, h: number, w: number, wt: number, co: number, kh: number, kw: number, group: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number, bias: number, y: number, col: number, act: number, lo: number, hi: number): void;
  gemm_f32(a: number, lda: number, bp: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, act: number, lo: number, hi: number): void;
  window_pad_bytes(oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): number;
  depthwise_f32(x: number, c: number, h: number, w: number, wt: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, bias: number, y: number, pad: number, act: number, lo: number, hi: number): void;
  pool2d_f32(isMax: number, x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, invH: number, invW: number, y: number, pad: number): void;
  global_avg_f32(x: number, planes: number, n: number, y: number): void;
  unary_f32(op: number, x: number, y: number, n: number, p0: number, p1: number): void;
  binary_f32(op: number, a: number, b: number, y: number, d0: number, d1: number, n: number,
    a0: number, a1: number, ai: number, b0: number, b1: number, bi: number): void;
  softmax_f32(x: number, y: number, rows: number, n: number): void;
  layernorm_f32(x: number, y: number, rows: number, n: number, scale: number, bias: number, eps: number): void;
}

const modules = new Map<EngineFlavor, Promise<WebAssembly.Module>>();

/** Candidate locations of the engine binary: beside the built module, or dist/ when running from src/. */
function engineUrls(flavor: EngineFlavor): URL[] {
  const file = `engine-${flavor}.wasm`;
  return [new URL(`../../engine/${file}`, import.meta.url), new URL(`../../../dist/engine/${file}`, import.meta.url)];
}

async function fetchModule(flavor: EngineFlavor): Promise<WebAssembly.Module> {
  const errors: string[] = [];
  for (const url of engineUrls(flavor)) {
    try {
      if (url.protocol === 'file:') {
        const { readFile } = await import('node:fs/promises');
        return await WebAssembly.compile(await readFile(url));
      }
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await WebAssembly.compile(await res.arrayBuffer());
    } catch (e) {
      errors.push(`${url.href}: ${(e as Error).message}`);
    }
  }
  throw new WasmnnError('ERR_ENGINE_LOAD', `cannot load the ${flavor} engine (run \`npm run build\`): ${errors.join('; ')}`);
}

/** The best engine flavor this host validates, or undefined without SIMD. */
export function bestFlavor(): EngineFlavor | undefined {
  const f = wasmFeatures();
  return f.relaxedSimd ? 'relaxed' : f.simd ? 'simd' : undefined;
}

/** A fresh engine instance (compiled module shared, memory private). */
export class Engine {
  private constructor(readonly flavor: EngineFlavor, private readonly x: EngineExports) {}

  static async create(flavor: EngineFlavor): Promise<Engine> {
    let m = modules.get(flavor);
    if (!m) {
      m = fetchModule(flavor);
      modules.set(flavor, m);
      m.catch(() => modules.delete(flavor));
    }
    const instance = await WebAssembly.instantiate(await m, { env: { abort: () => { throw new WasmnnError('ERR_ENGINE', 'engine aborted'); } } });
    return new Engine(flavor, instance.exports as unknown as EngineExports);
  }

  get exports(): EngineExports {
    return this.x;
  }

  /** Reserves bytes in engine memory; the region lives as long as the engine. */
  alloc(bytes: number): number {
    return this.x.alloc(bytes);
  }

  /** A Float32Array view of engine memory (re-create after any allocation: memory may grow). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, length);
  }
}
