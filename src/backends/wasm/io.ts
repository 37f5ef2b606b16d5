/** Moving float32 data between JavaScript and engine memory for the per-run kernels. */
import { Tensor } from '../../tensor.js';
import type { Value } from '../../values.js';
import { copyData } from '../../onnx/lazy-tensor.js';
import type { Engine } from './engine.js';

/** The input as a float32 tensor, or undefined (absent, another type, not a tensor). */
export function f32Input(v: Value | undefined): Tensor | undefined {
  return v instanceof Tensor && v.type === 'float32' ? v : undefined;
}

/** Constants copied into engine memory while the current kernel is being prepared (see {@link recordHeld}). */
let held: Set<Tensor> | undefined;

/**
 * Notes that `t` now lives in engine memory and the kernel being prepared does not
 * read `t.data` on its normal path, so the session may drop the JS copy.
 */
export function noteHeld(t: Tensor): void {
  held?.add(t);
}

/** Runs `prepare` (a kernel factory) and returns its result with the constants it copied into the engine. */
export function recordHeld<T>(prepare: () => T): { result: T; held: Set<Tensor> } {
  const outer = held;
  const mine = new Set<Tensor>();
  held = mine;
  try {
    return { result: prepare(), held: mine };
  } finally {
    held = outer;
  }
}

/** Copies a constant float32 tensor into engine memory once (rounded up to 8 floats, zero padded); its address. */
export function constF32(engine: Engine, t: Tensor): number {
  noteHeld(t);
  const n = Math.ceil(Math.max(t.size, 1) / 8) * 8;
  const p = engine.alloc(n * 4);
  const view = engine.f32(p, n);
  view.fill(0);
  copyData(t, view.subarray(0, t.size));
  return p;
}

/** Copies `src` into engine memory at `ptr`. */
export function put(engine: Engine, ptr: number, src: Float32Array): void {
  engine.f32(ptr, src.length).set(src);
}

/**
 * A fresh copy of a view of engine memory. V8 slices a view of shared memory (the threaded
 * engines') element by element: 4 MB took 1.31 ms by slice against 0.79 ms by a new array
 * and set; over a plain memory slice is the faster (0.60 against 0.76 ms).
 */
export function copyOut(view: Float32Array): Float32Array {
  if (typeof SharedArrayBuffer === 'undefined' || !(view.buffer instanceof SharedArrayBuffer)) return view.slice();
  const out = new Float32Array(view.length);
  out.set(view);
  return out;
}
