// Winograd F(4×4, 3×3) convolution for 3×3, stride-1, dilation-1, ungrouped Conv:
// each 4×4 output tile costs 36 multiplies per (input, output) channel pair instead
// of 144. Y = Aᵀ [ U ⊙ V ] A with U = G g Gᵀ (weights, transformed once by the host)
// and V = Bᵀ d B (6×6 input tiles, overlapping by 2). The 36 element-wise products,
// summed over input channels, are 36 GEMMs M_ξ[co, tile] = U_ξ[co, ci] · V_ξ[ci, tile]
// on the shared packed GEMM: the input transform writes V_ξ straight into its
// 8-column panel layout (lanes = tiles), so no packing pass is needed.
import { gemm_f32_bias } from './gemm';
import { madd } from './simd';
import { activate, padPlane } from './window';

@inline function tilesOf(n: i32): i32 {
  return (n + 3) >> 2;
}

/** Padded tile count: the GEMM's N, a multiple of the 8-column panel. */
@inline function paddedTiles(oh: i32, ow: i32): i32 {
  return ((tilesOf(oh) * tilesOf(ow) + 7) >> 3) << 3;
}

// Padded plane: 6 rows per tile row (overlap 2), and 8 readable columns from each tile's left edge.
@inline function planeRows(oh: i32): i32 { return tilesOf(oh) * 4 + 2; }
@inline function planeCols(ow: i32): i32 { return tilesOf(ow) * 4 + 4; }

/** Bytes of scratch winograd_f32 needs: one padded input plane, V (36·ci·T) and M (36·co·T). */
export function winograd_scratch_bytes(ci: i32, co: i32, oh: i32, ow: i32): i32 {
  const t = paddedTiles(oh, ow);
  return (planeRows(oh) * planeCols(ow) + 36 * t * (ci + co)) * 4 + 16;
}

// The 6×6 tile between the row and column passes of a transform (36 vectors). Shared by all
// threads of a shared memory, so only the one-thread entry (winograd_f32) uses it; the split
// phases take a per-task staging area instead.
const sharedTmp: usize = memory.data(36 * 16, 16);
const TMP_BYTES: i32 = 36 * 16;

/** Bᵀ·x (interpolation points 0, ±1, ±2, ∞) for six vectors, stored to dst with stride ds bytes. */
@inline function btStore(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, dst: usize, ds: usize): void {
  const four = f32x4.splat(4), mfour = f32x4.splat(-4), mfive = f32x4.splat(-5), two = f32x4.splat(2);
  const a = f32x4.sub(x4, x2), b = f32x4.mul(two, f32x4.sub(x3, x1));
  v128.store(dst, madd(four, x0, madd(mfive, x2, x4)));
  v128.store(dst + ds, madd(mfour, f32x4.add(x1, x2), f32x4.add(x3, x4)));
  v128.store(dst + 2 * ds, madd(four, f32x4.sub(x1, x2), f32x4.sub(x4, x3)));
  v128.store(dst + 3 * ds, f32x4.add(a, b));
  v128.store(dst + 4 * ds, f32x4.sub(a, b));
  v128.store(dst + 5 * ds, madd(four, x1, madd(mfive, x3, x5)));
}

@inline function tileBase(pad: usize, wp: i32, tw: i32, nt: i32, t: i32, tz: i32): usize {
  // Tiles past the last (GEMM padding) read tile tz, the first of the range; their columns are discarded.
  if (t >= nt) t = tz;
  const ty = t / tw, tx = t - ty * tw;
  return pad + <usize>(ty * 4 * wp + tx * 4) * 4;
}

/**
 * Input transform of one padded channel plane for tiles t0..t0+3, written to the
 * four lanes of V_ξ at v (ξ = 6i + k at v + ξ·xiStride).
 */
@inline function transformTiles(pad: usize, wp: i32, tw: i32, nt: i32, t0: i32, v: usize, xiStride: usize, tmp: usize, tz: i32): void {
  const p0 = tileBase(pad, wp, tw, nt, t0, tz), p1 = tileBase(pad, wp, tw, nt, t0 + 1, tz);
  const p2 = tileBase(pad, wp, tw, nt, t0 + 2, tz), p3 = tileBase(pad, wp, tw, nt, t0 + 3, tz);
  // Row pass: row r of the 4 tiles, transposed so lanes are tiles, then Bᵀ along its 6 columns.
  for (let r = 0; r < 6; r++) {
    const o = <usize>(r * wp) * 4;
    const a = v128.load(p0 + o), b = v128.load(p1 + o), c = v128.load(p2 + o), d = v128.load(p3 + o);
    const ab0 = v128.shuffle<i32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
    const cd0 = v128.shuffle<i32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<i32>(c, d, 2, 6, 3, 7);
    const e = v128.load(p0 + o, 16), f = v128.load(p1 + o, 16), g = v128.load(p2 + o, 16), h = v128.load(p3 + o, 16);
    const ef = v128.shuffle<i32>(e, f, 0, 4, 1, 5), gh = v128.shuffle<i32>(g, h, 0, 4, 1, 5);
    btStore(
      v128.shuffle<i32>(ab0, cd0, 0, 1, 4, 5), v128.shuffle<i32>(ab0, cd0, 2, 3, 6, 7),
      v128.shuffle<i32>(ab1, cd1, 0, 1, 4, 5), v128.shuffle<i32>(ab1, cd1, 2, 3, 6, 7),
      v128.shuffle<i32>(ef, gh, 0, 1, 4, 5), v128.shuffle<i32>(ef, gh, 2, 3, 6, 7),
      tmp + <usize>r * 96, 16);
  }
  // Column pass: Bᵀ along the rows.
  for (let k = 0; k < 6; k++) {
    const q = tmp + <usize>k * 16;
    btStore(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480),
      v + <usize>k * xiStride, 6 * xiStride);
  }
}

/** Aᵀ·x for six vectors at src (stride ss bytes): four results into dst (stride ds bytes). */
@inline function outputRows(src: usize, ss: usize, dst: usize, ds: usize): void {
  const x0 = v128.load(src), x1 = v128.load(src + ss), x2 = v128.load(src + 2 * ss);
  const x3 = v128.load(src + 3 * ss), x4 = v128.load(src + 4 * ss), x5 = v128.load(src + 5 * ss);
  const s12 = f32x4.add(x1, x2), d12 = f32x4.sub(x1, x2);
  const s34 = f32x4.add(x3, x4), d34 = f32x4.sub(x3, x4);
  v128.store(dst, f32x4.add(f32x4.add(x0, s12), s34));
  v128.store(dst + ds, madd(f32x4.splat(2), d34, d12));
  v128.store(dst + 2 * ds, madd(f32x4.splat(4), s34, s12));
  v128.store(dst + 3 * ds, f32x4.add(madd(f32x4.splat(8), d34, d12), x5));
}

@inline function activate1(e: f32, act: i32, lo: f32, hi: f32): f32 {
  if (act == 1) return max<f32>(e, 0);
  if (act == 2) return min<f32>(max<f32>(e, lo), hi);
  return e;
}

/** Stores row r of tile t (4 values in v) to y, + residual, activated, clipped to oh×ow. */
@inline function storeTileRow(v: v128, t: i32, r: i32, tw: i32, nt: i32, res: usize, y: usize, oh: i32, ow: i32,
  act: i32, lo: f32, hi: f32): void {
  if (t >= nt) return;
  const ty = t / tw, tx = t - ty * tw;
  const oy = ty * 4 + r, ox = tx * 4;
  if (oy >= oh) return;
  const off = <usize>(oy * ow + ox) * 4;
  if (ox + 4 <= ow) {
    if (res) v = f32x4.add(v, v128.load(res + off));
    v128.store(y + off, activate(v, act, f32x4.splat(lo), f32x4.splat(hi)));
    return;
  }
  // Right-edge tile: only ow - ox columns exist.
  const n = ow - ox;
  for (let c = 0; c < n; c++) {
    let e = c == 0 ? f32x4.extract_lane(v, 0) : c == 1 ? f32x4.extract_lane(v, 1) : f32x4.extract_lane(v, 2);
    if (res) e += load<f32>(res + off + <usize>c * 4);
    store<f32>(y + off + <usize>c * 4, activate1(e, act, lo, hi));
  }
}

/**
 * Output transform of one output channel for tiles t0..t0+3: Aᵀ m A, + bias,
 * + residual (res ≠ 0, same layout as y), activation, stored into y.
 */
@inline function outputTiles(m: usize, xiStride: usize, tw: i32, nt: i32, t0: i32, bias: f32, res: usize, y: usize, oh: i32, ow: i32,
  act: i32, lo: f32, hi: f32, tmp: usize): void {
  // Row pass over the tile's row index i (ξ = 6i + k): s[r][k] at tmp + (6r + k)·16.
  for (let k = 0; k < 6; k++) outputRows(m + <usize>k * xiStride, 6 * xiStride, tmp + <usize>k * 16, 96);
  const bv = f32x4.splat(bias);
  for (let r = 0; r < 4; r++) {
    const q = tmp + <usize>r * 96;
    const x0 = v128.load(q), x1 = v128.load(q, 16), x2 = v128.load(q, 32);
    const x3 = v128.load(q, 48), x4 = v128.load(q, 64), x5 = v128.load(q, 80);
    const s12 = f32x4.add(x1, x2), d12 = f32x4.sub(x1, x2);
    const s34 = f32x4.add(x3, x4), d34 = f32x4.sub(x3, x4);
    // Columns 0–3 of row r, lanes = tiles; transposed, vector j is tile t0 + j's row.
    const a = f32x4.add(f32x4.add(x0, s12), f32x4.add(s34, bv));
    const b = f32x4.add(madd(f32x4.splat(2), d34, d12), bv);
    const c = f32x4.add(madd(f32x4.splat(4), s34, s12), bv);
    const d = f32x4.add(f32x4.add(madd(f32x4.splat(8), d34, d12), x5), bv);
    const ab0 = v128.shuffle<i32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
    const cd0 = v128.shuffle<i32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<i32>(c, d, 2, 6, 3, 7);
    storeTileRow(v128.shuffle<i32>(ab0, cd0, 0, 1, 4, 5), t0, r, tw, nt, res, y, oh, ow, act, lo, hi);
    storeTileRow(v128.shuffle<i32>(ab0, cd0, 2, 3, 6, 7), t0 + 1, r, tw, nt, res, y, oh, ow, act, lo, hi);
    storeTileRow(v128.shuffle<i32>(ab1, cd1, 0, 1, 4, 5), t0 + 2, r, tw, nt, res, y, oh, ow, act, lo, hi);
    storeTileRow(v128.shuffle<i32>(ab1, cd1, 2, 3, 6, 7), t0 + 3, r, tw, nt, res, y, oh, ow, act, lo, hi);
  }
}

@inline function vBaseOf(scratch: usize, oh: i32, ow: i32): usize {
  return (scratch + <usize>(planeRows(oh) * planeCols(ow)) * 4 + 15) & ~15;
}

/** Per-task work of the split phases: a padded input plane and the staging tile. */
export function winograd_task_bytes(oh: i32, ow: i32): i32 {
  return ((planeRows(oh) * planeCols(ow) * 4 + 15) & ~15) + TMP_BYTES + 16;
}

/** Input transform of channels [c0, c1) into V (in `scratch`), using `own` (winograd_task_bytes) as work space. */
export function winograd_input_f32(x: usize, ci: i32, h: i32, w: i32, pt: i32, pl: i32, oh: i32, ow: i32, scratch: usize, own: usize, c0: i32, c1: i32): void {
  const pad = (own + 15) & ~15;
  inputPhase(x, ci, h, w, pt, pl, oh, ow, vBaseOf(scratch, oh, ow), pad, (pad + <usize>(planeRows(oh) * planeCols(ow)) * 4 + 15) & ~15, c0, c1);
}

/** The products ξ in [xi0, xi1) of the 36: M_ξ = U_ξ · V_ξ. */
export function winograd_gemm_f32(u: usize, ci: i32, co: i32, oh: i32, ow: i32, scratch: usize, xi0: i32, xi1: i32): void {
  const tp = paddedTiles(oh, ow), vBase = vBaseOf(scratch, oh, ow);
  gemmPhase(u, ci, co, tp, vBase, vBase + <usize>(36 * tp * ci) * 4, xi0, xi1);
}

/** Output transform of output channels [o0, o1) from M (in `scratch`) into y, using `own` as work space. */
export function winograd_output_f32(ci: i32, co: i32, oh: i32, ow: i32, bias: usize, res: usize, y: usize, scratch: usize, own: usize,
  act: i32, lo: f32, hi: f32, o0: i32, o1: i32): void {
  const tp = paddedTiles(oh, ow), vBase = vBaseOf(scratch, oh, ow);
  outputPhase(co, oh, ow, bias, res, y, vBase + <usize>(36 * tp * ci) * 4, tp, (own + 15) & ~15, act, lo, hi, o0, o1);
}

@inline function inputPhase(x: usize, ci: i32, h: i32, w: i32, pt: i32, pl: i32, oh: i32, ow: i32, vBase: usize, pad: usize, tmp: usize,
  c0: i32, c1: i32): void {
  inputTiles(x, ci, h, w, pt, pl, ow, vBase, pad, tmp, c0, c1, 0, tilesOf(oh) * tilesOf(ow));
}

/** Padded plane rows that tiles [t0, end) read: 4 per tile row they touch, plus the 2 of overlap. */
@inline function bandRows(t0: i32, end: i32, tw: i32): i32 {
  return ((end - 1) / tw - t0 / tw + 1) * 4 + 2;
}

/**
 * Input transform of channels [c0, c1) for tiles [t0, end) (t0 a multiple of 8) into V at vBase,
 * laid out for those tiles alone. Only the padded rows those tiles read are built in `pad`,
 * whose row 0 is the full padded plane's row 4·(t0 / tiles per row).
 */
@inline function inputTiles(x: usize, ci: i32, h: i32, w: i32, pt: i32, pl: i32, ow: i32, vBase: usize, pad: usize, tmp: usize,
  c0: i32, c1: i32, t0: i32, end: i32): void {
  const tw = tilesOf(ow), wp = planeCols(ow);
  const tp = ((end - t0 + 7) >> 3) << 3;
  const ty0 = t0 / tw;
  const rows = bandRows(t0, end, tw);
  // tileBase addresses the full plane: shift its origin up by the rows not built.
  const origin = pad - <usize>(ty0 * 4 * wp) * 4;
  const vXi = <usize>(tp * ci) * 4;
  // Channel by channel, so the padded rows stay in L1.
  for (let c = c0; c < c1; c++) {
    padPlane(x + <usize>(c * h * w) * 4, h, w, pad, rows, wp, pt - ty0 * 4, pl, 0);
    for (let lt = 0; lt < tp; lt += 4) {
      // Panel lt >> 3, row c, lanes lt & 7.
      const v = vBase + <usize>((((lt >> 3) * ci + c) << 3) + (lt & 7)) * 4;
      transformTiles(origin, wp, tw, end, t0 + lt, v, vXi, tmp, t0);
    }
  }
}

// 36 GEMMs: M_ξ [co, tp] = U_ξ [co, ci] · V_ξ [ci, tp].
@inline function gemmPhase(u: usize, ci: i32, co: i32, tp: i32, vBase: usize, mBase: usize, xi0: i32, xi1: i32): void {
  const vXi = <usize>(tp * ci) * 4;
  for (let xi = xi0; xi < xi1; xi++) {
    gemm_f32_bias(u + <usize>(xi * co * ci) * 4, ci, vBase + <usize>xi * vXi, mBase + <usize>(xi * co * tp) * 4, tp, co, tp, ci, 0, 0, 0, 0, 0);
  }
}

@inline function outputPhase(co: i32, oh: i32, ow: i32, bias: usize, res: usize, y: usize, mBase: usize, tp: i32, tmp: usize,
  act: i32, lo: f32, hi: f32, o0: i32, o1: i32): void {
  outputTilesOf(oh, ow, bias, res, y, mBase, tp, tmp, act, lo, hi, o0, o1, 0, tilesOf(oh) * tilesOf(ow), <usize>(co * tp) * 4);
}

/** Output transform of channels [o0, o1) for tiles [t0, end), from M laid out for those tiles (tp columns, ξ stride mXi bytes). */
@inline function outputTilesOf(oh: i32, ow: i32, bias: usize, res: usize, y: usize, mBase: usize, tp: i32, tmp: usize,
  act: i32, lo: f32, hi: f32, o0: i32, o1: i32, t0: i32, end: i32, mXi: usize): void {
  const tw = tilesOf(ow);
  for (let o = o0; o < o1; o++) {
    const b: f32 = bias ? load<f32>(bias + <usize>o * 4) : 0;
    const plane = <usize>(o * oh * ow) * 4;
    for (let lt = 0; lt < end - t0; lt += 4) {
      outputTiles(mBase + <usize>(o * tp + lt) * 4, mXi, tw, end, t0 + lt, b, res ? res + plane : 0, y + plane, oh, ow, act, lo, hi, tmp);
    }
  }
}

/** Bytes of one winograd_tiles_f32 task over `tiles` tiles (a multiple of 8 but the last): its plane rows, V, M and staging tile. */
export function winograd_tiles_bytes(ci: i32, co: i32, oh: i32, ow: i32, tiles: i32): i32 {
  const tw = tilesOf(ow), tp = ((tiles + 7) >> 3) << 3;
  // Tile rows a range of `tiles` can touch: its whole rows plus a partial row at each end.
  const rows = min(tilesOf(oh), (tiles + tw - 1) / tw + 1);
  return ((rows * 4 + 2) * planeCols(ow) * 4 + 15 & ~15) + 36 * tp * (ci + co) * 4 + TMP_BYTES + 32;
}

/**
 * Output tiles [t0, t1) of one image (t0 a multiple of 8; t1 too unless it is the last
 * tile) as one task: pads only the plane rows those tiles read, transforms them, runs the 36
 * products on their columns and transforms back, all in `work` (winograd_tiles_bytes), so
 * V and M stay in this thread's cache and threads share nothing but U and the image.
 * Arguments as winograd_f32.
 */
export function winograd_tiles_f32(x: usize, ci: i32, h: i32, w: i32, u: usize, co: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  bias: usize, res: usize, y: usize, work: usize, act: i32, lo: f32, hi: f32, t0: i32, t1: i32): void {
  const tw = tilesOf(ow), end = min(t1, tilesOf(oh) * tw);
  const tp = ((end - t0 + 7) >> 3) << 3;
  const pad = (work + 15) & ~15;
  const vBase = (pad + <usize>(bandRows(t0, end, tw) * planeCols(ow)) * 4 + 15) & ~15;
  const mBase = vBase + <usize>(36 * tp * ci) * 4;
  const tmp = mBase + <usize>(36 * tp * co) * 4;
  inputTiles(x, ci, h, w, pt, pl, ow, vBase, pad, tmp, 0, ci, t0, end);
  gemmPhase(u, ci, co, tp, vBase, mBase, 0, 36);
  outputTilesOf(oh, ow, bias, res, y, mBase, tp, tmp, act, lo, hi, 0, co, t0, end, <usize>(co * tp) * 4);
}

/**
 * One image: x [ci, h, w] → y [co, oh, ow] for a 3×3 stride-1 Conv with pads
 * (pt, pl) (bottom/right padding follows from oh, ow). u: transformed weights
 * [36][co][ci]; bias [co] or 0; res: residual [co, oh, ow] added before the
 * activation, or 0. scratch: winograd_scratch_bytes(ci, co, oh, ow). One thread only
 * (it stages tiles in static memory); threads run the three phases above instead.
 */
export function winograd_f32(x: usize, ci: i32, h: i32, w: i32, u: usize, co: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  bias: usize, res: usize, y: usize, scratch: usize, act: i32, lo: f32, hi: f32): void {
  const tp = paddedTiles(oh, ow), vBase = vBaseOf(scratch, oh, ow), mBase = vBase + <usize>(36 * tp * ci) * 4;
  inputPhase(x, ci, h, w, pt, pl, oh, ow, vBase, scratch, sharedTmp, 0, ci);
  gemmPhase(u, ci, co, tp, vBase, mBase, 0, 36);
  outputPhase(co, oh, ow, bias, res, y, mBase, tp, sharedTmp, act, lo, hi, 0, co);
}
