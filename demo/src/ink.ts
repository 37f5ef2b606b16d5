/**
 * Turns a drawing into the digit model's input: the drawing's bounding box is scaled into
 * a 32×32 bitmap (as the scikit-learn digits were), then each 4×4 block's ink is counted
 * (0..16), giving the 8×8 grid the model was trained on (scripts/train-digits.py).
 */

/** 8×8 ink counts from a 32×32 bitmap (row-major, nonzero = ink). */
export function inkCounts(bitmap: ArrayLike<number>): Float32Array {
  if (bitmap.length !== 32 * 32) throw new RangeError(`expected a 32×32 bitmap (1024 cells), got ${bitmap.length}`);
  const cells = new Float32Array(64);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) if (bitmap[y * 32 + x]) cells[(y >> 2) * 8 + (x >> 2)]! += 1;
  return cells;
}

/**
 * A 32×32 bitmap from RGBA pixels (ink = alpha, or darkness when `inkIsDark`). Like the
 * scanned digits, the ink's bounding box is scaled so its longer side fills the 32 cells
 * and it is centred; a cell is ink when any pixel it covers is, and strokes are then
 * thickened by one cell, since the scans' pens were broad (about 30% of cells are ink).
 */
export function bitmapFromPixels(rgba: ArrayLike<number>, width: number, height: number, inkIsDark = false): Uint8Array {
  const ink = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    return (inkIsDark ? 255 - (rgba[i]! + rgba[i + 1]! + rgba[i + 2]!) / 3 : rgba[i + 3]!) > 64;
  };
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (!ink(x, y)) continue;
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  const out = new Uint8Array(32 * 32);
  if (x1 < 0) return out;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, side = Math.max(w, h);
  const cell = side / 32;
  const ox = (side - w) / 2, oy = (side - h) / 2;
  const thin = new Uint8Array(32 * 32);
  for (let v = 0; v < 32; v++) for (let u = 0; u < 32; u++) {
    // The source pixels this cell covers, in the ink box's coordinates.
    const sx0 = Math.floor(u * cell - ox), sx1 = Math.ceil((u + 1) * cell - ox), sy0 = Math.floor(v * cell - oy), sy1 = Math.ceil((v + 1) * cell - oy);
    search: for (let y = Math.max(sy0, 0); y < Math.min(sy1, h); y++) for (let x = Math.max(sx0, 0); x < Math.min(sx1, w); x++) {
      if (ink(x0 + x, y0 + y)) { thin[v * 32 + u] = 1; break search; }
    }
  }
  for (let v = 0; v < 32; v++) for (let u = 0; u < 32; u++) {
    if (!thin[v * 32 + u]) continue;
    for (let dv = 0; dv <= 1; dv++) for (let du = 0; du <= 1; du++) if (u + du < 32 && v + dv < 32) out[(v + dv) * 32 + u + du] = 1;
  }
  return out;
}
