// Data movement of 32-bit elements (Concat, Split, Pad, Gather): bulk copies of contiguous runs.
// Every kernel writes only the output rows of its own range, so a job split over threads gives
// the same bytes as one call.

/** Runs shorter than this many elements copy in a vector loop: memory.copy's call costs more. */
const SHORT_RUN: i32 = 16;

/** Copies n 32-bit elements from src to dst (non-overlapping). */
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  if (n >= SHORT_RUN) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < n; j++) store<u32>(dst + (<usize>j << 2), load<u32>(src + (<usize>j << 2)));
}

/** Writes n copies of the 32-bit pattern `bits` from dst. */
@inline function fillRun(dst: usize, bits: u32, n: i32): void {
  const v = i32x4.splat(<i32>bits);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), v);
  for (; j < n; j++) store<u32>(dst + (<usize>j << 2), bits);
}

/**
 * A block copy: rows of `cols` elements from x (row stride ldx elements) to y (row stride ldy).
 * Concat writes each input into its column band of the output rows; Split reads each output's band.
 */
export function copy_rows_f32(x: usize, ldx: i32, y: usize, ldy: i32, rows: i32, cols: i32): void {
  const sx = <usize>ldx << 2, sy = <usize>ldy << 2;
  for (let r = 0; r < rows; r++) copyRun(y + <usize>r * sy, x + <usize>r * sx, cols);
}

/**
 * Pad, output rows [r0, r1) of w elements. rows[r] is the input element offset of output row r's
 * source row, or -1 for a row of the constant; map[c] the source column of output column c, or
 * -1 for the constant (`bits`). Columns [lo, hi) read one contiguous run of the source row.
 */
export function pad_rows_f32(x: usize, rows: usize, map: usize, w: i32, lo: i32, hi: i32, bits: u32, y: usize, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const py = y + (<usize>r * <usize>w << 2);
    const base = load<i32>(rows + (<usize>r << 2));
    if (base < 0) {
      fillRun(py, bits, w);
      continue;
    }
    const src = x + (<usize>base << 2);
    for (let c = 0; c < lo; c++) {
      const s = load<i32>(map + (<usize>c << 2));
      store<u32>(py + (<usize>c << 2), s < 0 ? bits : load<u32>(src + (<usize>s << 2)));
    }
    if (hi > lo) copyRun(py + (<usize>lo << 2), src + (<usize>load<i32>(map + (<usize>lo << 2)) << 2), hi - lo);
    for (let c = hi; c < w; c++) {
      const s = load<i32>(map + (<usize>c << 2));
      store<u32>(py + (<usize>c << 2), s < 0 ? bits : load<u32>(src + (<usize>s << 2)));
    }
  }
}

/**
 * Gather, output rows [r0, r1) of `inner` elements: row r = b·m + j reads row idx[j] of outer
 * block b (dimA rows of `inner` elements) of x. Indices are already checked and non-negative.
 */
export function gather_f32(x: usize, idx: usize, m: i32, inner: i32, dimA: i32, y: usize, r0: i32, r1: i32): void {
  if (m == 0 || r1 <= r0) return;
  let b = r0 / m, j = r0 - b * m;
  const block = <usize>dimA * <usize>inner << 2, row = <usize>inner << 2;
  let xb = x + <usize>b * block;
  let py = y + <usize>r0 * row;
  for (let r = r0; r < r1; r++) {
    const src = xb + <usize>load<i32>(idx + (<usize>j << 2)) * row;
    if (inner == 1) store<u32>(py, load<u32>(src));
    else copyRun(py, src, inner);
    py += row;
    if (++j == m) { j = 0; xb += block; }
  }
}
