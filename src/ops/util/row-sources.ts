/**
 * Where each output row comes from when every output index of each axis reads one input index
 * (Pad's per-axis maps, nearest Resize's tables): the input element offset of each row of the
 * output (all axes but the last), or -1 when any leading axis maps outside the input.
 */

/**
 * Offsets for the rows of an output whose axis a has maps[a].length indices, reading input
 * index maps[a][i] (−1: outside) along input strides `inStrides`; the last axis's map is
 * not used. Written into `out` when given (it must hold every row).
 */
export function rowSources(maps: readonly ArrayLike<number>[], inStrides: readonly number[], out?: Int32Array): Int32Array {
  const lead = Math.max(maps.length - 1, 0);
  let rows = 1;
  for (let a = 0; a < lead; a++) rows *= maps[a]!.length;
  const src = out ?? new Int32Array(rows);
  // An odometer over the leading axes.
  const idx = new Int32Array(lead);
  for (let row = 0; row < rows; row++) {
    let base = 0;
    for (let a = 0; a < lead; a++) {
      const s = maps[a]![idx[a]!]!;
      if (s < 0) { base = -1; break; }
      base += s * inStrides[a]!;
    }
    src[row] = base;
    for (let a = lead - 1; a >= 0 && ++idx[a]! === maps[a]!.length; a--) idx[a] = 0;
  }
  return src;
}
