// Transpose of 32-bit elements as a strided copy over (at most) four output dims. Contiguous
// inner runs (the attention head swaps [0,2,1,3]) copy by whole vectors; a strided inner
// read (e.g. [0,2,3,1]) gathers four elements per vector store.

/** Copies n elements read at stride s (elements) from x into y (contiguous). */
@inline function run(x: usize, s: i32, y: usize, n: i32): void {
  let j = 0;
  if (s == 1) {
    for (; j + 4 <= n; j += 4) v128.store(y + <usize>j * 4, v128.load(x + <usize>j * 4));
    for (; j < n; j++) store<u32>(y + <usize>j * 4, load<u32>(x + <usize>j * 4));
    return;
  }
  const step = <usize>s * 4;
  let p = x;
  for (; j + 4 <= n; j += 4) {
    let v = v128.load32_zero(p);
    v = v128.load32_lane(p + step, v, 1);
    v = v128.load32_lane(p + 2 * step, v, 2);
    v = v128.load32_lane(p + 3 * step, v, 3);
    v128.store(y + <usize>j * 4, v);
    p += 4 * step;
  }
  for (; j < n; j++) { store<u32>(y + <usize>j * 4, load<u32>(p)); p += step; }
}

/**
 * y[i0, i1, i2, i3] = x[i0·s0 + i1·s1 + i2·s2 + i3·s3] for output dims [d0, d1, d2, d3]
 * (row-major, contiguous), restricted to output rows i0 ∈ [r0, r1): each task of a split
 * writes its own rows. s0…s3 are the input's element strides along the output dims.
 */
export function transpose_f32(x: usize, y: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  s0: i32, s1: i32, s2: i32, s3: i32, r0: i32, r1: i32): void {
  let py = y + <usize>(r0 * d1 * d2 * d3) * 4;
  for (let i0 = r0; i0 < r1; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      const base = x + <usize>(i0 * s0 + i1 * s1) * 4;
      for (let i2 = 0; i2 < d2; i2++) {
        run(base + <usize>(i2 * s2) * 4, s3, py, d3);
        py += <usize>d3 * 4;
      }
    }
  }
}
