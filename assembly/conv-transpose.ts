// ConvTranspose's col2im: the GEMM's columns [channels·kd·kh·kw, d·h·w] (one row per output
// channel and kernel tap, one column per input voxel) are added into the output volumes
// [channels, od, oh, ow], which start from the bias; 1-D and 2-D run with unit leading dims. A
// call owns whole output volumes, so the order of each output's sum (taps in row-major order)
// never depends on how channels are split over threads.

/**
 * y[c] = bias[c] + Σ taps of col scattered by stride/dilation/pads, for `channels` volumes.
 * bias may be 0 (none). col rows are (c, kz, ky, kx); each row holds one value per input voxel.
 */
export function col2im_add_f32(col: usize, channels: i32, d: i32, h: i32, w: i32, kd: i32, kh: i32, kw: i32,
  sd: i32, sh: i32, sw: i32, dd: i32, dh: i32, dw: i32, pf: i32, pt: i32, pl: i32, od: i32, oh: i32, ow: i32,
  bias: usize, y: usize): void {
  const hw = h * w, vox = d * hw, plane = oh * ow, volume = od * plane;
  for (let c = 0; c < channels; c++) {
    const yc = y + <usize>(c * volume) * 4;
    fillPlane(yc, volume, bias ? load<f32>(bias + <usize>c * 4) : 0);
    for (let kz = 0; kz < kd; kz++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const row = col + <usize>((((c * kd + kz) * kh + ky) * kw + kx) * vox) * 4;
          const offW = kx * dw - pl;
          // Input columns iw whose output column ox = iw·sw + offW lies in [0, ow).
          const iwLo = offW >= 0 ? 0 : (sw - 1 - offW) / sw;
          const iwHi = ow - 1 - offW < 0 ? 0 : min(w, (ow - 1 - offW) / sw + 1);
          if (iwLo >= iwHi) continue;
          for (let id = 0; id < d; id++) {
            const oz = id * sd - pf + kz * dd;
            if (oz < 0 || oz >= od) continue;
            for (let ih = 0; ih < h; ih++) {
              const oy = ih * sh - pt + ky * dh;
              if (oy < 0 || oy >= oh) continue;
              addRow(row + <usize>(id * hw + ih * w) * 4, yc + <usize>(oz * plane + oy * ow) * 4, iwLo, iwHi, sw, offW, ow);
            }
          }
        }
      }
    }
  }
}

@inline function fillPlane(p: usize, n: i32, v: f32): void {
  const s = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + <usize>i * 4, s);
  for (; i < n; i++) store<f32>(p + <usize>i * 4, v);
}

/** dst[iw·sw + offW] += src[iw] for iw in [lo, hi); every store stays inside the output row. */
@inline function addRow(src: usize, dst: usize, lo: i32, hi: i32, sw: i32, offW: i32, ow: i32): void {
  let iw = lo;
  if (sw == 1) {
    for (; iw + 4 <= hi; iw += 4) {
      const d = dst + <usize>(iw + offW) * 4;
      v128.store(d, f32x4.add(v128.load(d), v128.load(src + <usize>iw * 4)));
    }
  } else if (sw == 2) {
    // Four inputs land on every other output: spread them over two vectors whose other lanes
    // add -0 (x + -0 = x for every x, -0 included), while the 8 floats stay inside the row.
    const nz = f32x4.splat(-0.0);
    for (; iw + 4 <= hi && (iw + 3) * 2 + offW + 2 <= ow; iw += 4) {
      const d = dst + <usize>(iw * 2 + offW) * 4;
      const v = v128.load(src + <usize>iw * 4);
      v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(v, nz, 0, 4, 1, 4)));
      v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(v, nz, 2, 4, 3, 4)), 16);
    }
  }
  for (; iw < hi; iw++) {
    const d = dst + <usize>(iw * sw + offW) * 4;
    store<f32>(d, load<f32>(d) + load<f32>(src + <usize>iw * 4));
  }
}
