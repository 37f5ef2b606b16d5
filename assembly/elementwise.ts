// Elementwise f32 kernels: unary activations, broadcasting binary arithmetic,
// softmax and layer normalisation over the last axis. f32x4 bodies, scalar tails
// done as one masked vector (the tail is read and written lane by lane).
import { erf4, exp4, onePlusErf4, sigmoid4, tanh4 } from './vmath';
import { rowMax, rowSqDev, rowSum } from './reduce';

@inline function splat(v: f32): v128 { return f32x4.splat(v); }

/** Loads n < 4 floats (rest 0). */
@inline function loadTail(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the first n < 4 lanes. */
@inline function storeTail(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// Unary op codes (see UNARY_OPS in src/backends/wasm/elementwise-kernels.ts).
@inline function unary(op: i32, x: v128, p0: v128, p1: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(f32x4.pmax(x, splat(0)), splat(0)); // Relu (NaN passes, −0 → 0; pmax: see simd.ts activate)
    case 1: return v128.bitselect(f32x4.mul(x, p0), x, f32x4.lt(x, splat(0))); // LeakyRelu
    case 2: { const y = v128.bitselect(p0, x, f32x4.lt(x, p0)); return v128.bitselect(p1, y, f32x4.gt(y, p1)); } // Clip
    case 3: { // HardSigmoid
      const v = f32x4.add(f32x4.mul(x, p0), p1);
      const y = v128.bitselect(splat(0), v, f32x4.lt(v, splat(0)));
      return v128.bitselect(splat(1), y, f32x4.gt(y, splat(1)));
    }
    case 4: { // HardSwish
      const v = f32x4.add(f32x4.div(x, splat(6)), splat(0.5));
      const y = v128.bitselect(splat(0), f32x4.mul(x, v), f32x4.lt(v, splat(0)));
      return v128.bitselect(x, y, f32x4.gt(v, splat(1)));
    }
    case 5: return sigmoid4(x);
    case 6: return tanh4(x);
    case 7: return f32x4.mul(f32x4.mul(x, splat(0.5)), onePlusErf4(f32x4.mul(x, splat(0.7071067811865476)))); // Gelu
    case 8: return exp4(x);
    case 9: { // Gelu, approximate="tanh"
      const u = f32x4.mul(splat(0.7978845608028654), f32x4.add(x, f32x4.mul(splat(0.044715), f32x4.mul(x, f32x4.mul(x, x)))));
      return f32x4.mul(f32x4.mul(x, splat(0.5)), f32x4.add(splat(1), tanh4(u)));
    }
    case 10: return erf4(x);
    default: return x;
  }
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, a: f32, b: f32): void {
  const p0 = splat(a), p1 = splat(b);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i * 4;
    const v0 = unary(op, v128.load(x + o), p0, p1);
    const v1 = unary(op, v128.load(x + o, 16), p0, p1);
    v128.store(y + o, v0);
    v128.store(y + o, v1, 16);
  }
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, unary(op, v128.load(x + <usize>i * 4), p0, p1));
  if (i < n) storeTail(y + <usize>i * 4, unary(op, loadTail(x + <usize>i * 4, n - i), p0, p1), n - i);
}

/** y[i] = op(x[i]) for n floats; p0/p1 are the op's attributes (alpha, beta, min, max). */
export function unary_f32(op: i32, x: usize, y: usize, n: i32, p0: f32, p1: f32): void {
  switch (op) {
    case 0: unaryLoop(0, x, y, n, p0, p1); break;
    case 1: unaryLoop(1, x, y, n, p0, p1); break;
    case 2: unaryLoop(2, x, y, n, p0, p1); break;
    case 3: unaryLoop(3, x, y, n, p0, p1); break;
    case 4: unaryLoop(4, x, y, n, p0, p1); break;
    case 5: unaryLoop(5, x, y, n, p0, p1); break;
    case 6: unaryLoop(6, x, y, n, p0, p1); break;
    case 7: unaryLoop(7, x, y, n, p0, p1); break;
    case 8: unaryLoop(8, x, y, n, p0, p1); break;
    case 9: unaryLoop(9, x, y, n, p0, p1); break;
    case 10: unaryLoop(10, x, y, n, p0, p1); break;
  }
}

// Binary op codes: 0 add, 1 sub, 2 mul, 3 div.
@inline function binary(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

/** One contiguous run of n outputs; sa/sb (0 or 1) say whether a/b advance or stay (broadcast). */
@inline function binaryRun(op: i32, a: usize, b: usize, y: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sa && sb) {
    for (; i + 4 <= n; i += 4) { const o = <usize>i * 4; v128.store(y + o, binary(op, v128.load(a + o), v128.load(b + o))); }
    if (i < n) { const o = <usize>i * 4; storeTail(y + o, binary(op, loadTail(a + o, n - i), loadTail(b + o, n - i)), n - i); }
  } else if (sa) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) { const o = <usize>i * 4; v128.store(y + o, binary(op, v128.load(a + o), vb)); }
    if (i < n) { const o = <usize>i * 4; storeTail(y + o, binary(op, loadTail(a + o, n - i), vb), n - i); }
  } else if (sb) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) { const o = <usize>i * 4; v128.store(y + o, binary(op, va, v128.load(b + o))); }
    if (i < n) { const o = <usize>i * 4; storeTail(y + o, binary(op, va, loadTail(b + o, n - i)), n - i); }
  } else {
    const v = binary(op, v128.load32_splat(a), v128.load32_splat(b));
    for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, v);
    if (i < n) storeTail(y + <usize>i * 4, v, n - i);
  }
}

@inline function binaryLoop(op: i32, a: usize, b: usize, y: usize, d0: i32, d1: i32, n: i32,
  a0: i32, a1: i32, ai: i32, b0: i32, b1: i32, bi: i32): void {
  let py = y;
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      binaryRun(op, a + <usize>(i * a0 + j * a1) * 4, b + <usize>(i * b0 + j * b1) * 4, py, n, ai, bi);
      py += <usize>n * 4;
    }
  }
}

/**
 * y = a op b over a collapsed broadcast loop [d0, d1, n] (n innermost); a0/a1/ai and
 * b0/b1/bi are the operands' element strides per loop dim (ai, bi ∈ {0, 1}).
 */
export function binary_f32(op: i32, a: usize, b: usize, y: usize, d0: i32, d1: i32, n: i32,
  a0: i32, a1: i32, ai: i32, b0: i32, b1: i32, bi: i32): void {
  if (op == 0) binaryLoop(0, a, b, y, d0, d1, n, a0, a1, ai, b0, b1, bi);
  else if (op == 1) binaryLoop(1, a, b, y, d0, d1, n, a0, a1, ai, b0, b1, bi);
  else if (op == 2) binaryLoop(2, a, b, y, d0, d1, n, a0, a1, ai, b0, b1, bi);
  else binaryLoop(3, a, b, y, d0, d1, n, a0, a1, ai, b0, b1, bi);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Softmax of each of `rows` rows of n floats. */
export function softmax_f32(x: usize, y: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>(r * n) * 4, py = y + <usize>(r * n) * 4;
    // Independent partial maxima, not one dependent chain: attention rows are short.
    const mv = splat(rowMax(px, n));
    let vs = splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const e = exp4(f32x4.sub(v128.load(px + <usize>i * 4), mv));
      v128.store(py + <usize>i * 4, e);
      vs = f32x4.add(vs, e);
    }
    let s = hsum(vs);
    if (i < n) {
      const e = exp4(f32x4.sub(loadTail(px + <usize>i * 4, n - i), mv));
      storeTail(py + <usize>i * 4, e, n - i);
      for (let j = 0; j < n - i; j++) s += load<f32>(py + <usize>(i + j) * 4);
    }
    const inv = splat(1 / s);
    i = 0;
    for (; i + 4 <= n; i += 4) v128.store(py + <usize>i * 4, f32x4.mul(v128.load(py + <usize>i * 4), inv));
    for (; i < n; i++) store<f32>(py + <usize>i * 4, load<f32>(py + <usize>i * 4) / s);
  }
}

/** Layer normalisation of each row of n floats: (x − mean) / sqrt(var + eps) · scale (+ bias; bias 0 = none). */
export function layernorm_f32(x: usize, y: usize, rows: i32, n: i32, scale: usize, bias: usize, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>(r * n) * 4, py = y + <usize>(r * n) * 4;
    const mean = rowSum(px, n) / <f32>n;
    const mv = splat(mean);
    const q = rowSqDev(px, n, mean);
    const inv = <f32>(1 / Math.sqrt(<f64>q / <f64>n + <f64>eps));
    const iv = splat(inv);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i * 4;
      let v = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(px + o), mv), iv), v128.load(scale + o));
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      v128.store(py + o, v);
    }
    for (; i < n; i++) {
      const o = <usize>i * 4;
      let v = (load<f32>(px + o) - mean) * inv * load<f32>(scale + o);
      if (bias) v += load<f32>(bias + o);
      store<f32>(py + o, v);
    }
  }
}
