/**
 * WebAssembly feature probes. Each validates a module that really uses the
 * feature's instructions: an empty module proves nothing, and engines that
 * shipped early SIMD accepted `splat` but not final-spec opcodes.
 */

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const I32 = 0x7f;
const V128 = 0x7b;

function section(id: number, content: number[]): number[] {
  return [id, content.length, ...content];
}

/**
 * A module with one function `() -> result` whose body is `body`; `extra` are
 * sections placed between the function and code sections, in order (memory, tag).
 */
function moduleWith(result: number, body: number[], extra: number[][] = [], extraTypes: number[][] = []): Uint8Array<ArrayBuffer> {
  const types = [[0x60, 0x00, 0x01, result], ...extraTypes];
  const fn = [0x00, ...body, 0x0b];
  return Uint8Array.from([
    ...HEADER,
    ...section(1, [types.length, ...types.flat()]),
    ...section(3, [0x01, 0x00]),
    ...extra.flat(),
    ...section(10, [0x01, fn.length, ...fn]),
  ]);
}

const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/** v128.const 0; i8x16.popcnt — final-spec SIMD. */
const SIMD = moduleWith(V128, [...V128_ZERO, 0xfd, 0x62]);
/** Three v128 constants; f32x4.relaxed_madd (opcode 0x105). */
const RELAXED = moduleWith(V128, [...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]);
/** A shared memory (min 1, max 1) and i32.atomic.load from it. */
const THREADS = moduleWith(I32, [0x41, 0x00, 0xfe, 0x10, 0x02, 0x00], [section(5, [0x01, 0x03, 0x01, 0x01])]);
/** A 64-bit-indexed memory and i32.load at an i64 address. */
const MEMORY64 = moduleWith(I32, [0x42, 0x00, 0x28, 0x02, 0x00], [section(5, [0x01, 0x04, 0x01])]);
/** A tag of type () -> () and `try (result i32) throw 0 catch 0 i32.const 1 end`. */
const EXCEPTIONS = moduleWith(I32, [0x06, I32, 0x08, 0x00, 0x07, 0x00, 0x41, 0x01, 0x0b], [section(13, [0x01, 0x00, 0x01])], [[0x60, 0x00, 0x00]]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Shared-memory atomics validate and a shared WebAssembly.Memory really yields a SharedArrayBuffer (needs cross-origin isolation in browsers). */
export function probeThreads(): boolean {
  if (!validates(THREADS) || typeof SharedArrayBuffer !== 'function') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Memory64 (64-bit addresses) validates. */
export function probeMemory64(): boolean {
  return validates(MEMORY64);
}

/** Exception handling (tags, try/catch/throw) validates. */
export function probeExceptions(): boolean {
  return validates(EXCEPTIONS);
}

/** The probe modules, for tests that check them on engines with the feature switched on. */
export const PROBE_MODULES = { simd: SIMD, relaxedSimd: RELAXED, threads: THREADS, memory64: MEMORY64, exceptions: EXCEPTIONS } as const;

let cache: { simd: boolean; relaxedSimd: boolean } | undefined;

/** Which engine builds this host can run. Cached after the first call. */
export function wasmFeatures(): { simd: boolean; relaxedSimd: boolean } {
  cache ??= { simd: validates(SIMD), relaxedSimd: validates(RELAXED) };
  return cache;
}
