/** IEEE binary16 and bfloat16 conversions (bit patterns held in Uint16Array). */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 5.960464477539063e-8; // 2^-24
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** number → binary16 bits, round to nearest even (via float32 first, as hardware does). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  return halfFromFloatBits(u32[0]!);
}

/** float32 bit pattern → binary16 bits, round to nearest even. */
function halfFromFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++;
  return sign | r;
}

/** bfloat16 bits → number. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** number → bfloat16 bits, round to nearest even; NaN stays NaN. */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff)) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

let table: Float32Array | undefined;

/** Every binary16 value as float32 (256 KB, built on first use): decoding is one lookup per element. */
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  }
  return table;
}

/** Decodes a whole Uint16Array of binary16 bits into a new Float32Array. */
export function halfArrayToFloat32(src: Uint16Array): Float32Array {
  const t = halfTable();
  const n = src.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = t[src[i]!]!;
  return out;
}

/** Encodes float values into a new Uint16Array of binary16 bits. */
export function float32ToHalfArray(src: ArrayLike<number>): Uint16Array {
  const n = src.length;
  const out = new Uint16Array(n);
  if (src instanceof Float32Array) {
    // Read the float32 bits in place rather than through a scratch store per element.
    const bits = new Uint32Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = halfFromFloatBits(bits[i]!);
  } else {
    for (let i = 0; i < n; i++) out[i] = floatToHalf(src[i]!);
  }
  return out;
}
