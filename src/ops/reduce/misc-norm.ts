/** LpNormalization, MeanVarianceNormalization and LRN. */
import { allocData } from '../../dtype.js';
import { OpError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../op.js';
import { sameAsInput } from '../util/infer-rules.js';
import { tensorAt } from '../util/read.js';
import { normalizeAxes, normalizeAxis } from '../util/shape.js';
import { ncs } from './channel-norm.js';
import { planReduce, splitAxis } from './reduce-plan.js';

type F = Float32Array | Float64Array;

function floatInput(x: Tensor, op: string): F {
  if (x.type !== 'float32' && x.type !== 'float64') throw new OpError(`${op} expects a float tensor, got ${x.type}`);
  return x.data as F;
}

/** LpNormalization: x / ||x||_p along one axis (p = 1 or 2); a zero norm gives 0, not NaN. */
export const LpNormalization = defineOp<{ axis: number; p: number }>({
  name: 'LpNormalization', since: 1, halfAsFloat: true,
  attrs: (a) => {
    const p = a.int('p', 2);
    if (p !== 1 && p !== 2) a.fail('p', `must be 1 or 2, got ${p}`);
    return { axis: a.int('axis', -1), p };
  },
  run: (inputs, { axis, p }) => {
    const x = tensorAt(inputs, 0, 'input');
    const src = floatInput(x, 'LpNormalization');
    const [outer, n, inner] = splitAxis(x.dims, normalizeAxis(axis, x.dims.length));
    const y = allocData(x.type, x.size) as F;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let s = 0;
        for (let r = 0; r < n; r++) { const v = src[base + r * inner]!; s += p === 1 ? Math.abs(v) : v * v; }
        const norm = p === 1 ? s : Math.sqrt(s);
        const inv = norm === 0 ? 0 : 1 / norm;
        for (let r = 0; r < n; r++) y[base + r * inner] = src[base + r * inner]! * inv;
      }
    }
    return [new Tensor(x.type, y, x.dims)];
  },
  infer: sameAsInput(),
});

/** MeanVarianceNormalization: (x - E[x]) / (sqrt(E[x²] - E[x]²) + 1e-9) over `axes`. */
export const MeanVarianceNormalization = defineOp<{ axes: number[] }>({
  name: 'MeanVarianceNormalization', since: 9, halfAsFloat: true,
  attrs: (a) => ({ axes: a.ints('axes', [0, 2, 3]) }),
  run: (inputs, { axes }) => {
    const x = tensorAt(inputs, 0, 'X');
    const src = floatInput(x, 'MeanVarianceNormalization');
    const { outSize, redSize, outBase, redOff } = planReduce(x.dims, normalizeAxes(axes, x.dims.length), true);
    const y = allocData(x.type, x.size) as F;
    for (let o = 0; o < outSize; o++) {
      const base = outBase[o]!;
      let s = 0, sq = 0;
      for (let r = 0; r < redSize; r++) { const v = src[base + redOff[r]!]!; s += v; sq += v * v; }
      const mean = s / redSize;
      // Clamped: rounding can make E[x²] - E[x]² slightly negative for constant slices.
      const inv = 1 / (Math.sqrt(Math.max(0, sq / redSize - mean * mean)) + 1e-9);
      for (let r = 0; r < redSize; r++) { const k = base + redOff[r]!; y[k] = (src[k]! - mean) * inv; }
    }
    return [new Tensor(x.type, y, x.dims)];
  },
  infer: sameAsInput(),
});

export interface LrnAttrs { alpha: number; beta: number; bias: number; size: number }

/** LRN: x / (bias + alpha/size · Σ x² over a window of neighbouring channels)^beta. */
export const LRN = defineOp<LrnAttrs>({
  name: 'LRN', since: 1, halfAsFloat: true,
  attrs: (a) => {
    const size = a.int('size');
    if (size <= 0) a.fail('size', `must be positive, got ${size}`);
    return { alpha: a.float('alpha', 1e-4), beta: a.float('beta', 0.75), bias: a.float('bias', 1), size };
  },
  run: (inputs, { alpha, beta, bias, size }) => {
    const x = tensorAt(inputs, 0, 'X');
    const { src, n, c, s } = ncs(x, 'LRN');
    const y = allocData(x.type, x.size) as F;
    const before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
    const k = alpha / size;
    // Plane by plane: the window's squares are summed into a row of s values (contiguous
    // passes, not a strided walk per element), in channel order as the definition adds them.
    const sq = new Float64Array(s);
    // x^-0.75 (AlexNet, GoogLeNet, ZFNet) from two square roots: Math.pow costs several times more.
    const inversePow = beta === 0.75 ? (v: number) => { const r = Math.sqrt(v); return 1 / (r * Math.sqrt(r)); } : (v: number) => Math.pow(v, -beta);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const lo = Math.max(0, ch - before), hi = Math.min(c - 1, ch + after);
        sq.fill(0);
        for (let q = lo; q <= hi; q++) {
          const p = (b * c + q) * s;
          for (let j = 0; j < s; j++) { const v = src[p + j]!; sq[j] = sq[j]! + v * v; }
        }
        const o = (b * c + ch) * s;
        for (let j = 0; j < s; j++) y[o + j] = src[o + j]! * inversePow(bias + k * sq[j]!);
      }
    }
    return [new Tensor(x.type, y, x.dims)];
  },
  infer: sameAsInput(),
});
