/** Moving float32 data between JavaScript and engine memory for the per-run kernels. */
import { Tensor } from '../../tensor.js';
import type { Value } from '../../values.js';
import type { Engine } from './engine.js';

/** The input as a float32 tensor, or undefined (absent, another type, not a tensor). */
export function f32Input(v: Value | undefined): Tensor | undefined {
  return v instanceof Tensor && v.type === 'float32' ? v : undefined;
}

/** Copies a constant float32 tensor into engine memory once (rounded up to 8 floats, zero padded); its address. */
export function constF32(engine: Engine, t: Tensor): number {
  const n = Math.ceil(Math.max(t.size, 1) / 8) * 8;
  const p = engine.alloc(n * 4);
  const view = engine.f32(p, n);
  view.fill(0);
  view.set(t.data as Float32Array);
  return p;
}

/** Copies `src` into engine memory at `ptr`. */
export function put(engine: Engine, ptr: number, src: Float32Array): void {
  engine.f32(ptr, src.length).set(src);
}

/** A fresh Float32Array holding `n` floats read from engine memory at `ptr`. */
export function take(engine: Engine, ptr: number, n: number): Float32Array {
  return engine.f32(ptr, n).slice();
}
