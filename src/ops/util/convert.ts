/** Conversions between stored element representations and float32/float64 math. */
import type { DataType, NumericArray } from '../../dtype.js';
import { bfloat16ToFloat, float32ToHalfArray, floatToBfloat16, halfArrayToFloat32 } from '../../util/half.js';
import type { Tensor } from '../../tensor.js';
import { float8Decoder, float8Encoder } from './float8.js';

/** Decodes a float-like tensor's elements (any numeric type) to a new or shared Float32Array. */
export function decodeToFloat32(t: Tensor): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  const n = t.size;
  if (t.type === 'float16') return halfArrayToFloat32((d as Uint16Array).subarray(0, n));
  const out = new Float32Array(n);
  switch (t.type) {
    case 'bfloat16': for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat((d as Uint16Array)[i]!); break;
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0': case 'float4e2m1': {
      const f = float8Decoder(t.type);
      for (let i = 0; i < n; i++) out[i] = f((d as Uint8Array)[i]!);
      break;
    }
    case 'string': throw new TypeError('cannot convert a string tensor to float');
    default: {
      const a = d as NumericArray;
      for (let i = 0; i < n; i++) out[i] = Number(a[i]!);
    }
  }
  return out;
}

/** Decodes any numeric tensor's elements to float64 numbers (exact for every type but 64-bit ints beyond 2^53). */
export function decodeToFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const d = t.data;
  const n = t.size;
  const out = new Float64Array(n);
  if (t.type === 'float16' || t.type === 'bfloat16' || t.type.startsWith('float8') || t.type === 'float4e2m1') {
    out.set(decodeToFloat32(t));
  } else {
    const a = d as NumericArray;
    for (let i = 0; i < n; i++) out[i] = Number(a[i]!);
  }
  return out;
}

/** Encodes float values into storage for a float-bit type (float16, bfloat16, float8…), or copies into float32/64. */
export function encodeFromFloat32(src: ArrayLike<number>, type: DataType): NumericArray {
  const n = src.length;
  switch (type) {
    case 'float32': return src instanceof Float32Array ? src : Float32Array.from(src);
    case 'float64': return Float64Array.from(src);
    case 'float16': return float32ToHalfArray(src);
    case 'bfloat16': { const o = new Uint16Array(n); for (let i = 0; i < n; i++) o[i] = floatToBfloat16(src[i]!); return o; }
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0': case 'float4e2m1': {
      const f = float8Encoder(type, true);
      const o = new Uint8Array(n);
      for (let i = 0; i < n; i++) o[i] = f(src[i]!);
      return o;
    }
    default: throw new TypeError(`encodeFromFloat32: ${type} is not a float type`);
  }
}

/**
 * fp32 shadows of float16/bfloat16 results. Float kernels compute half tensors in
 * float32; the result is stored rounded (as the type demands) and its unrounded
 * float32 values are kept beside it, so the next float kernel continues from them.
 * A chain of half-precision ops thus rounds once per value that leaves the chain
 * (data movement, casts, graph outputs) rather than after every op — what
 * onnxruntime's CPU provider does when it removes Cast pairs between nodes it runs
 * in float32. Keyed by the stored array, so views that share it (Reshape,
 * Identity) keep the shadow; a shadow is never mutated.
 */
const shadows = new WeakMap<object, Float32Array>();

/** Half-precision storage for float32 results, remembering the unrounded values. `src` must not be mutated afterwards. */
export function encodeWithShadow(src: Float32Array, type: DataType): NumericArray {
  const enc = encodeFromFloat32(src, type);
  if (type === 'float16' || type === 'bfloat16') shadows.set(enc, src);
  return enc;
}

/** Float32 values of a tensor for float math: the unrounded shadow when one exists. Read-only. */
export function decodeForMath(t: Tensor): Float32Array {
  const s = shadows.get(t.data as object);
  return s && s.length === t.size ? s : decodeToFloat32(t);
}
