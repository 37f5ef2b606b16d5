// Reductions over an [outer, red, inner] block, instance normalisation and per-channel affine
// (inference BatchNormalization). Every output element is folded by one call, in an order that
// depends only on its own position, so splitting outputs over threads changes no bit.
import { exp4 } from './vmath';

// Fold codes (see FOLDS in src/backends/wasm/reduce-kernels.ts).
const SUM = 0, SUM_SQ = 1, SUM_ABS = 2, PROD = 3, MAX = 4, MIN = 5, LOG_SUM_EXP = 6;
// Internal only: the maximum, skipping NaN (rowMax).
const PMAX = 7;
// Post-processing of each result: none, divide by `count` (mean), square root, natural log.
const POST_MEAN = 1, POST_SQRT = 2, POST_LOG = 3;

@inline function identity(op: i32): f32 {
  return op == PROD ? 1 : op == MAX || op == PMAX ? -Infinity : op == MIN ? Infinity : 0;
}

@inline function vstep(op: i32, acc: v128, v: v128): v128 {
  if (op == SUM) return f32x4.add(acc, v);
  if (op == SUM_SQ) return f32x4.add(acc, f32x4.mul(v, v));
  if (op == SUM_ABS) return f32x4.add(acc, f32x4.abs(v));
  if (op == PROD) return f32x4.mul(acc, v);
  if (op == MAX) return f32x4.max(acc, v); // NaN-propagating, like the reference
  if (op == PMAX) return f32x4.pmax(acc, v);
  return f32x4.min(acc, v);
}

@inline function sstep(op: i32, acc: f32, v: f32): f32 {
  if (op == SUM) return acc + v;
  if (op == SUM_SQ) return acc + v * v;
  if (op == SUM_ABS) return acc + abs<f32>(v);
  if (op == PROD) return acc * v;
  if (op == MAX) return max<f32>(acc, v);
  if (op == PMAX) return v > acc ? v : acc;
  return min<f32>(acc, v);
}

// Combining partial results: the sums of squares and of magnitudes add up like sums.
@inline function vjoin(op: i32, a: v128, b: v128): v128 {
  return op <= SUM_ABS ? f32x4.add(a, b) : vstep(op, a, b);
}
@inline function sjoin(op: i32, a: f32, b: f32): f32 {
  return op <= SUM_ABS ? a + b : sstep(op, a, b);
}

@inline function lanes(op: i32, v: v128): f32 {
  return sjoin(op, sjoin(op, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    sjoin(op, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** e^v through the vector routine, so scalar tails round exactly like vector lanes. */
@inline function exp1(v: f32): f32 { return f32x4.extract_lane(exp4(f32x4.splat(v)), 0); }

@inline function finite(v: f32): bool { return v - v == 0; }

/** log Σ e^x from the maximum m and Σ e^(x−m); an infinite or NaN maximum is the result itself. */
@inline function lse(m: f32, s: f32): f32 { return finite(m) ? m + <f32>Math.log(<f64>s) : m; }

/** Fold of n contiguous floats: 16 partial results (4 vectors), joined in a fixed order. */
@inline function rowFold(op: i32, p: usize, n: i32): f32 {
  const id = f32x4.splat(identity(op));
  let a0 = id, a1 = id, a2 = id, a3 = id;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + (<usize>i << 2);
    a0 = vstep(op, a0, v128.load(q));
    a1 = vstep(op, a1, v128.load(q, 16));
    a2 = vstep(op, a2, v128.load(q, 32));
    a3 = vstep(op, a3, v128.load(q, 48));
  }
  for (; i + 4 <= n; i += 4) a0 = vstep(op, a0, v128.load(p + (<usize>i << 2)));
  let s = lanes(op, vjoin(op, vjoin(op, a0, a1), vjoin(op, a2, a3)));
  for (; i < n; i++) s = sstep(op, s, load<f32>(p + (<usize>i << 2)));
  return s;
}

/** Σ x over n contiguous floats (rowFold's 16 partial sums), for the normalizations here and in elementwise.ts. */
@inline export function rowSum(p: usize, n: i32): f32 {
  return rowFold(SUM, p, n);
}

/**
 * The largest of n contiguous floats, for softmax: rowFold with pmax, which skips NaN, where
 * MAX's NaN-propagating max costs V8 a fix-up per step (softmax rows of 128: 26.9 → 23.5 µs
 * with pmax, 29.6 with max). Softmax may skip a NaN here: it still makes the row's sum, so
 * every output, NaN.
 */
@inline export function rowMax(p: usize, n: i32): f32 {
  return rowFold(PMAX, p, n);
}

/** Σ (x − mean)² over n contiguous floats, in 16 partial sums like rowFold. */
@inline export function rowSqDev(p: usize, n: i32, mean: f32): f32 {
  const mv = f32x4.splat(mean);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + (<usize>i << 2);
    const d0 = f32x4.sub(v128.load(q), mv), d1 = f32x4.sub(v128.load(q, 16), mv);
    const d2 = f32x4.sub(v128.load(q, 32), mv), d3 = f32x4.sub(v128.load(q, 48), mv);
    a0 = f32x4.add(a0, f32x4.mul(d0, d0)); a1 = f32x4.add(a1, f32x4.mul(d1, d1));
    a2 = f32x4.add(a2, f32x4.mul(d2, d2)); a3 = f32x4.add(a3, f32x4.mul(d3, d3));
  }
  for (; i + 4 <= n; i += 4) { const d = f32x4.sub(v128.load(p + (<usize>i << 2)), mv); a0 = f32x4.add(a0, f32x4.mul(d, d)); }
  let q = lanes(SUM, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; i < n; i++) { const d = load<f32>(p + (<usize>i << 2)) - mean; q += d * d; }
  return q;
}

/** Σ e^(x−m) over n contiguous floats. */
@inline function rowExpSum(p: usize, n: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + (<usize>i << 2);
    a0 = f32x4.add(a0, exp4(f32x4.sub(v128.load(q), mv)));
    a1 = f32x4.add(a1, exp4(f32x4.sub(v128.load(q, 16), mv)));
    a2 = f32x4.add(a2, exp4(f32x4.sub(v128.load(q, 32), mv)));
    a3 = f32x4.add(a3, exp4(f32x4.sub(v128.load(q, 48), mv)));
  }
  for (; i + 4 <= n; i += 4) a0 = f32x4.add(a0, exp4(f32x4.sub(v128.load(p + (<usize>i << 2)), mv)));
  let s = lanes(SUM, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; i < n; i++) s += exp1(load<f32>(p + (<usize>i << 2)) - m);
  return s;
}

/** Per row of `outer`: y[o] = fold of the `red` contiguous floats of row o. */
@inline function rows(op: i32, x: usize, y: usize, outer: i32, red: i32): void {
  for (let o = 0; o < outer; o++) {
    const p = x + (<usize>o * <usize>red << 2);
    let v: f32;
    if (op == LOG_SUM_EXP) {
      const m = rowFold(MAX, p, red);
      v = finite(m) ? lse(m, rowExpSum(p, red, m)) : m;
    } else v = rowFold(op, p, red);
    store<f32>(y + (<usize>o << 2), v);
  }
}

/**
 * y[j] = fold over r of x[r·inner + j] for j < n: 8 columns at a time, each with 4 partial
 * results (rows r mod 4) joined in a fixed order; tail columns do the same in scalars.
 */
@inline function cols(op: i32, x: usize, y: usize, red: i32, inner: i32, n: i32): void {
  const ld = <usize>inner << 2;
  const id = f32x4.splat(identity(op));
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const px = x + (<usize>j << 2);
    let a0 = id, a1 = id, a2 = id, a3 = id, b0 = id, b1 = id, b2 = id, b3 = id;
    let r = 0;
    for (; r + 4 <= red; r += 4) {
      const q = px + <usize>r * ld;
      a0 = vstep(op, a0, v128.load(q)); b0 = vstep(op, b0, v128.load(q, 16));
      a1 = vstep(op, a1, v128.load(q + ld)); b1 = vstep(op, b1, v128.load(q + ld, 16));
      a2 = vstep(op, a2, v128.load(q + 2 * ld)); b2 = vstep(op, b2, v128.load(q + 2 * ld, 16));
      a3 = vstep(op, a3, v128.load(q + 3 * ld)); b3 = vstep(op, b3, v128.load(q + 3 * ld, 16));
    }
    for (; r < red; r++) {
      const q = px + <usize>r * ld;
      a0 = vstep(op, a0, v128.load(q)); b0 = vstep(op, b0, v128.load(q, 16));
    }
    const py = y + (<usize>j << 2);
    v128.store(py, vjoin(op, vjoin(op, a0, a1), vjoin(op, a2, a3)));
    v128.store(py, vjoin(op, vjoin(op, b0, b1), vjoin(op, b2, b3)), 16);
  }
  for (; j < n; j++) {
    const px = x + (<usize>j << 2);
    const s = identity(op);
    let s0 = s, s1 = s, s2 = s, s3 = s;
    let r = 0;
    for (; r + 4 <= red; r += 4) {
      const q = px + <usize>r * ld;
      s0 = sstep(op, s0, load<f32>(q)); s1 = sstep(op, s1, load<f32>(q + ld));
      s2 = sstep(op, s2, load<f32>(q + 2 * ld)); s3 = sstep(op, s3, load<f32>(q + 3 * ld));
    }
    for (; r < red; r++) s0 = sstep(op, s0, load<f32>(px + <usize>r * ld));
    store<f32>(y + (<usize>j << 2), sjoin(op, sjoin(op, s0, s1), sjoin(op, s2, s3)));
  }
}

/** log Σ e^x down columns: maxima into y first, then Σ e^(x−m) with the same partial scheme. */
function colsLogSumExp(x: usize, y: usize, red: i32, inner: i32, n: i32): void {
  cols(MAX, x, y, red, inner, n);
  const ld = <usize>inner << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const px = x + (<usize>j << 2), py = y + (<usize>j << 2);
    const m = v128.load(py);
    // Lanes with an infinite or NaN maximum keep it; exponentiate the others against it.
    const mf = v128.and(m, f32x4.eq(f32x4.sub(m, m), f32x4.splat(0)));
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let r = 0;
    for (; r + 4 <= red; r += 4) {
      const q = px + <usize>r * ld;
      a0 = f32x4.add(a0, exp4(f32x4.sub(v128.load(q), mf)));
      a1 = f32x4.add(a1, exp4(f32x4.sub(v128.load(q + ld), mf)));
      a2 = f32x4.add(a2, exp4(f32x4.sub(v128.load(q + 2 * ld), mf)));
      a3 = f32x4.add(a3, exp4(f32x4.sub(v128.load(q + 3 * ld), mf)));
    }
    for (; r < red; r++) a0 = f32x4.add(a0, exp4(f32x4.sub(v128.load(px + <usize>r * ld), mf)));
    const s = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    store<f32>(py, lse(f32x4.extract_lane(m, 0), f32x4.extract_lane(s, 0)));
    store<f32>(py, lse(f32x4.extract_lane(m, 1), f32x4.extract_lane(s, 1)), 4);
    store<f32>(py, lse(f32x4.extract_lane(m, 2), f32x4.extract_lane(s, 2)), 8);
    store<f32>(py, lse(f32x4.extract_lane(m, 3), f32x4.extract_lane(s, 3)), 12);
  }
  for (; j < n; j++) {
    const px = x + (<usize>j << 2), py = y + (<usize>j << 2);
    const m = load<f32>(py);
    const mf: f32 = finite(m) ? m : 0;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let r = 0;
    for (; r + 4 <= red; r += 4) {
      const q = px + <usize>r * ld;
      s0 += exp1(load<f32>(q) - mf); s1 += exp1(load<f32>(q + ld) - mf);
      s2 += exp1(load<f32>(q + 2 * ld) - mf); s3 += exp1(load<f32>(q + 3 * ld) - mf);
    }
    for (; r < red; r++) s0 += exp1(load<f32>(px + <usize>r * ld) - mf);
    store<f32>(py, lse(m, (s0 + s1) + (s2 + s3)));
  }
}

@inline function block(op: i32, x: usize, y: usize, outer: i32, red: i32, inner: i32, n: i32): void {
  if (inner == 1) { rows(op, x, y, outer, red); return; }
  for (let o = 0; o < outer; o++) {
    const px = x + (<usize>o * <usize>red * <usize>inner << 2), py = y + (<usize>o * <usize>inner << 2);
    if (op == LOG_SUM_EXP) colsLogSumExp(px, py, red, inner, n);
    else cols(op, px, py, red, inner, n);
  }
}

/**
 * Reduces x viewed as [outer, red, inner] over its middle axis into y [outer, inner], for the
 * `n` columns starting at x and y (n = inner, or a column range when threads split columns),
 * then applies `post` to each result (`count`: the divisor of a mean).
 */
export function reduce_f32(fold: i32, post: i32, count: f64, x: usize, y: usize, outer: i32, red: i32, inner: i32, n: i32): void {
  switch (fold) {
    case SUM: block(SUM, x, y, outer, red, inner, n); break;
    case SUM_SQ: block(SUM_SQ, x, y, outer, red, inner, n); break;
    case SUM_ABS: block(SUM_ABS, x, y, outer, red, inner, n); break;
    case PROD: block(PROD, x, y, outer, red, inner, n); break;
    case MAX: block(MAX, x, y, outer, red, inner, n); break;
    case MIN: block(MIN, x, y, outer, red, inner, n); break;
    default: block(LOG_SUM_EXP, x, y, outer, red, inner, n);
  }
  if (post == 0) return;
  for (let o = 0; o < outer; o++) {
    const py = y + (<usize>o * <usize>inner << 2);
    for (let j = 0; j < n; j++) {
      const q = py + (<usize>j << 2);
      const v = <f64>load<f32>(q);
      store<f32>(q, <f32>(post == POST_MEAN ? v / count : post == POST_SQRT ? Math.sqrt(v) : Math.log(v)));
    }
  }
}

/** y = x·a + b over n contiguous floats. */
@inline function affine(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  const av = f32x4.splat(a), bv = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(f32x4.mul(v128.load(x + o), av), bv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(x + o) * a + b);
  }
}

/**
 * InstanceNormalization of `planes` planes of n floats (plane p has channel (c0 + p) mod
 * channels): mean, then variance about it, then scale and bias in one more pass.
 */
export function instancenorm_f32(x: usize, y: usize, planes: i32, n: i32, channels: i32, c0: i32, scale: usize, bias: usize, eps: f32): void {
  for (let p = 0; p < planes; p++) {
    const off = <usize>p * <usize>n << 2;
    const px = x + off;
    const mean = <f64>rowSum(px, n) / <f64>n;
    const q = rowSqDev(px, n, <f32>mean);
    const c = <usize>((c0 + p) % channels) << 2;
    const inv = 1 / Math.sqrt(<f64>q / <f64>n + <f64>eps);
    const a = <f64>load<f32>(scale + c) * inv;
    affine(px, y + off, n, <f32>a, <f32>(<f64>load<f32>(bias + c) - mean * a));
  }
}

/** y = x·a[c] + b[c] for `planes` planes of n floats (plane p has channel (c0 + p) mod channels). */
export function channel_affine_f32(x: usize, y: usize, planes: i32, n: i32, channels: i32, c0: i32, a: usize, b: usize): void {
  for (let p = 0; p < planes; p++) {
    const off = <usize>p * <usize>n << 2;
    const c = <usize>((c0 + p) % channels) << 2;
    affine(x + off, y + off, n, load<f32>(a + c), load<f32>(b + c));
  }
}

/** 2^-63: smaller magnitudes square to subnormals. */
const TINY_ROOT: f32 = 1.0842021724855044e-19;
/** 2^-126, the smallest normal float32. */
const MIN_NORMAL: f32 = 1.1754943508222875e-38;

/**
 * LRN over planes [p0, p0 + planes) of an [N, C, S] tensor x (`channels` = C, n = S floats per
 * plane; x and y point at the whole tensor, since windows read neighbouring planes):
 * y = x · (bias + k · Σ x² over channels [c − before, c + after] ∩ [0, C))^−beta, the squares
 * summed in channel order. beta 0.75 (AlexNet, GoogLeNet, ZFNet) takes two square roots, not pow.
 */
export function lrn_f32(x: usize, y: usize, p0: i32, planes: i32, n: i32, channels: i32, before: i32, after: i32, k: f32, bias: f32, beta: f32): void {
  const kv = f32x4.splat(k), bv = f32x4.splat(bias), tiny = f32x4.splat(TINY_ROOT), normal = f32x4.splat(MIN_NORMAL);
  const fast = beta == 0.75;
  const ps = <usize>n << 2;
  for (let p = p0; p < p0 + planes; p++) {
    const c = p % channels;
    const lo = max(0, c - before), hi = min(channels - 1, c + after);
    const first = x + <usize>(p - c + lo) * ps;
    const px = x + <usize>p * ps, py = y + <usize>p * ps;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let acc = f32x4.splat(0);
      let q = first + o;
      for (let j = lo; j <= hi; j++) {
        let v = v128.load(q);
        // |x| below 2^-63 squares to a subnormal, which x86 computes about 50× slower; such a
        // square is below 2^-126 and changes bias + k·Σ only when bias is 0 and the whole window is that small.
        v = v128.and(v, f32x4.ge(f32x4.abs(v), tiny));
        acc = f32x4.add(acc, f32x4.mul(v, v));
        q += ps;
      }
      const d = f32x4.add(bv, f32x4.mul(kv, acc));
      // Subnormal x (|y| would be below 2^-126 too) is taken as 0, for the same reason.
      let xv = v128.load(px + o);
      xv = v128.and(xv, f32x4.ge(f32x4.abs(xv), normal));
      if (fast) {
        const r = f32x4.sqrt(d);
        v128.store(py + o, f32x4.div(xv, f32x4.mul(r, f32x4.sqrt(r))));
      } else {
        v128.store(py + o, f32x4.mul(xv, f32x4(
          Mathf.pow(f32x4.extract_lane(d, 0), -beta), Mathf.pow(f32x4.extract_lane(d, 1), -beta),
          Mathf.pow(f32x4.extract_lane(d, 2), -beta), Mathf.pow(f32x4.extract_lane(d, 3), -beta))));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      let acc: f32 = 0;
      let q = first + o;
      for (let j = lo; j <= hi; j++) { const v = load<f32>(q); if (Mathf.abs(v) >= TINY_ROOT) acc += v * v; q += ps; }
      const d = bias + k * acc;
      const xv = load<f32>(px + o);
      if (fast) { const r = Mathf.sqrt(d); store<f32>(py + o, xv / (r * Mathf.sqrt(r))); }
      else store<f32>(py + o, xv * Mathf.pow(d, -beta));
    }
  }
}
