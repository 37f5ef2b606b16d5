/**
 * One instance of the AssemblyScript engine (assembly/) with its own linear
 * memory. A session owns its engine: dropping the session drops the memory.
 */
import { WasmnnError } from '../../errors.js';
import { compileEngine, type EngineFile } from './engine-loader.js';
import { wasmFeatures } from './probe.js';
import { Scratch } from './scratch.js';
import { ThreadPool, type Task } from './threads/pool.js';

export type EngineFlavor = 'relaxed' | 'simd';

interface EngineExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  packed_b_bytes(k: number, n: number): number;
  pack_b_f32(b: number, k: number, n: number, ldb: number, transB: number, out: number): void;
  packed_a_bytes(m: number, k: number): number;
  pack_a_f32(a: number, lda: number, m: number, k: number, out: number): void;
  conv_col_bytes(cig: number, kh: number, kw: number, oh: number, ow: number): number;
  conv2d_f32(x: number, ci: number, h: number, w: number, wt: number, co: number, kh: number, kw: number, group: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number, bias: number, res: number, y: number, col: number,
    act: number, lo: number, hi: number): void;
  pointwise_f32(x: number, ci: number, n: number, wt: number, co: number, bias: number, res: number, y: number, tail: number,
    act: number, lo: number, hi: number): void;
  pointwise_cols_f32(x: number, ci: number, n: number, ld: number, wt: number, co: number, bias: number, res: number, y: number, tail: number,
    act: number, lo: number, hi: number): void;
  winograd_scratch_bytes(ci: number, co: number, oh: number, ow: number): number;
  winograd_task_bytes(oh: number, ow: number): number;
  winograd_tiles_bytes(ci: number, co: number, oh: number, ow: number, tiles: number): number;
  im2col_packed(x: number, cig: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, out: number): void;
  gemm_residual_f32(a: number, lda: number, bp: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, biasMode: number,
    res: number, act: number, lo: number, hi: number): void;
  im2col_panels(x: number, cig: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, out: number, p0: number, p1: number): void;
  winograd_f32(x: number, ci: number, h: number, w: number, u: number, co: number, pt: number, pl: number, oh: number, ow: number,
    bias: number, res: number, y: number, scratch: number, act: number, lo: number, hi: number): void;
  gemm_f32(a: number, lda: number, bp: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, act: number, lo: number, hi: number): void;
  window_pad_bytes(oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): number;
  /** `window`: kh, kw, sh, sw, dh, dw, pt, pl, oh, ow (a DepthwiseWindow's args). */
  pointwise_depthwise_plane_bytes(ci: number, h: number, w: number, ...window: readonly number[]): number;
  depthwise_f32(x: number, c: number, h: number, w: number, wt: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, bias: number, y: number, pad: number, act: number, lo: number, hi: number): void;
  pool2d_f32(isMax: number, x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, invH: number, invW: number, y: number, pad: number): void;
  global_avg_f32(x: number, planes: number, n: number, y: number): void;
  unary_f32(op: number, x: number, y: number, n: number, p0: number, p1: number): void;
  binary_f32(op: number, a: number, b: number, y: number, d0: number, d1: number, n: number,
    a0: number, a1: number, ai: number, b0: number, b1: number, bi: number): void;
  softmax_f32(x: number, y: number, rows: number, n: number): void;
  attention_softmax_f32(s: number, rows: number, n: number, scale: number, divide: number, mask: number, maskOffs: number, maskStride: number): void;
  attention_heads_f32(q: number, k: number, v: number, y: number, s: number, l: number, dk: number, dv: number, ldq: number, ldk: number, ldv: number, ldy: number,
    h0: number, h1: number, scale: number, divide: number, mask: number, maskOffs: number, maskStride: number, work: number): void;
  attention_heads_work_bytes(s: number, l: number, dk: number, dv: number): number;
  layernorm_f32(x: number, y: number, rows: number, n: number, scale: number, bias: number, eps: number): void;
  reduce_f32(fold: number, post: number, count: number, x: number, y: number, outer: number, red: number, inner: number, n: number): void;
  instancenorm_f32(x: number, y: number, planes: number, n: number, channels: number, c0: number, scale: number, bias: number, eps: number): void;
  channel_affine_f32(x: number, y: number, planes: number, n: number, channels: number, c0: number, a: number, b: number): void;
  lrn_f32(x: number, y: number, p0: number, planes: number, n: number, channels: number, before: number, after: number, k: number, bias: number, beta: number): void;
  residual_act_f32(y: number, z: number, n: number, act: number, lo: number, hi: number): void;
  transpose_f32(x: number, y: number, d0: number, d1: number, d2: number, d3: number, s0: number, s1: number, s2: number, s3: number, r0: number, r1: number): void;
  col2im_add_f32(col: number, channels: number, d: number, h: number, w: number, kd: number, kh: number, kw: number,
    sd: number, sh: number, sw: number, dd: number, dh: number, dw: number, pf: number, pt: number, pl: number, od: number, oh: number, ow: number,
    bias: number, y: number): void;
  resize_nearest_f32(x: number, y: number, rowOff: number, colOff: number, r0: number, r1: number, ow: number, fill: number): void;
  resize_ring_bytes(tapsY: number, ow: number): number;
  resize_weighted_f32(x: number, y: number, r0: number, r1: number, h: number, w: number, oh: number, ow: number,
    iy: number, wy: number, tapsY: number, ix: number, wx: number, tapsX: number, outY: number, outX: number, fill: number, ring: number): void;
  copy_rows_f32(x: number, ldx: number, y: number, ldy: number, rows: number, cols: number): void;
  pad_rows_f32(x: number, rows: number, map: number, w: number, lo: number, hi: number, bits: number, y: number, r0: number, r1: number): void;
  gather_f32(x: number, idx: number, m: number, inner: number, dimA: number, y: number, r0: number, r1: number): void;
}

const modules = new Map<EngineFile, Promise<WebAssembly.Module>>();

/** Each engine file is compiled once per process (or page) and shared by every session. */
function moduleFor(file: EngineFile): Promise<WebAssembly.Module> {
  let m = modules.get(file);
  if (!m) {
    m = compileEngine(file);
    modules.set(file, m);
    m.catch(() => modules.delete(file));
  }
  return m;
}

const abort = () => { throw new WasmnnError('ERR_ENGINE', 'engine aborted'); };

/** Stops the worker pools of engines collected without dispose(). */
const orphans = new FinalizationRegistry<ThreadPool>((pool) => pool.terminate());

/** Pages the shared memory of a threaded engine starts with (it grows as weights are packed) and may reach (4 GiB). */
const SHARED_INITIAL_PAGES = 64;
const SHARED_MAX_PAGES = 65536;

/** The best engine flavor this host validates, or undefined without SIMD. */
export function bestFlavor(): EngineFlavor | undefined {
  const f = wasmFeatures();
  return f.relaxedSimd ? 'relaxed' : f.simd ? 'simd' : undefined;
}

/**
 * A fresh engine instance (compiled module shared, memory private). With threads, the -mt build
 * runs on a shared memory that the pool's workers instantiate the same module on.
 *
 * The pool starts on the first split job, not with the engine: small models (and the many tiny
 * sessions of a test suite) never pay for worker threads. Until it is ready, split jobs run on the
 * calling thread, which gives the same results since tasks write disjoint outputs.
 */
export class Engine {
  private pool?: ThreadPool;
  private starting?: Promise<void>;
  private disposed = false;
  private readonly jobRegion = new Scratch(this);

  private constructor(readonly flavor: EngineFlavor, private readonly x: EngineExports,
    private readonly shared?: { module: WebAssembly.Module; memory: WebAssembly.Memory; threads: number }) {}

  static async create(flavor: EngineFlavor, threads = 1): Promise<Engine> {
    if (threads <= 1) {
      const instance = await WebAssembly.instantiate(await moduleFor(`engine-${flavor}.wasm`), { env: { abort } });
      return new Engine(flavor, instance.exports as unknown as EngineExports);
    }
    const module = await moduleFor(`engine-${flavor}-mt.wasm`);
    const memory = new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAX_PAGES, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
    return new Engine(flavor, instance.exports as unknown as EngineExports, { module, memory, threads });
  }

  /** Threads kernels may split work over: the configured count, whether or not the pool has started yet. */
  get threads(): number {
    return this.shared?.threads ?? 1;
  }

  /** Whether the worker pool is running (for tests and diagnostics). */
  get poolActive(): boolean {
    return this.pool !== undefined;
  }

  /** Starts the pool now and waits for it (normally it starts on the first split job). */
  async startThreads(): Promise<void> {
    if (!this.shared || this.pool || this.disposed) return;
    this.starting ??= (async () => {
      const x = this.x as unknown as Record<string, unknown>;
      const fns = Object.keys(x).filter((k) => typeof x[k] === 'function');
      try {
        const pool = await ThreadPool.create(this.shared!.module, this.shared!.memory, this.shared!.threads, fns, x as Record<string, (...a: number[]) => unknown>);
        if (this.disposed) pool.terminate();
        else {
          this.pool = pool;
          // A session dropped without release() must not leave its workers behind.
          orphans.register(this, pool, this);
        }
      } catch (e) {
        console.warn(`wasmnn: worker threads did not start, running on 1 thread: ${(e as Error).message}`);
      }
    })();
    return this.starting;
  }

  /**
   * Resolves once a pool that is starting is ready (or has failed); undefined when nothing is
   * pending. Sessions await it between runs: the workers' "ready" messages need the event loop.
   */
  settle(): Promise<void> | undefined {
    return this.pool || !this.starting ? undefined : this.starting;
  }

  /**
   * Runs kernel calls that touch disjoint outputs, spread over the pool's threads (in order on
   * one thread). `drain(i)` runs on the calling thread after task i is done (see ThreadPool.run).
   */
  parallel(tasks: readonly Task[], drain?: (i: number) => void): void {
    if (this.pool && tasks.length > 1) { this.pool.run(tasks, drain); return; }
    if (this.shared && !this.starting && tasks.length > 1) void this.startThreads();
    this.serial(tasks, drain);
  }

  /** Runs kernel calls in order on the calling thread, `drain(i)` after task i. */
  serial(tasks: readonly Task[], drain?: (i: number) => void): void {
    const x = this.x as unknown as Record<string, (...a: readonly number[]) => unknown>;
    tasks.forEach((t, i) => { x[t.fn]!(...t.args); drain?.(i); });
  }

  /** Stops the engine's worker threads; split work runs on the calling thread afterwards. */
  dispose(): void {
    this.disposed = true;
    orphans.unregister(this);
    this.pool?.terminate();
    this.pool = undefined;
  }

  get exports(): EngineExports {
    return this.x;
  }

  /**
   * A region of at least `bytes` that one job at a time may fill before its tasks run (a GEMM's
   * packed A). Grown by doubling, never shrunk: regions outgrown stay reserved, less in all than
   * the last one.
   */
  jobScratch(bytes: number): number {
    return this.jobRegion.get(bytes);
  }

  /** Bytes of engine memory reserved so far (alloc(0) reserves nothing and returns the top). */
  get reserved(): number {
    return this.x.alloc(0);
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
