/** Turning logits into scores and picking the best classes. */

/** How raw outputs become scores: `softmax`, `sigmoid` (multi-label), `none`, or `auto`. */
export type ScoreFunction = 'softmax' | 'sigmoid' | 'none' | 'auto';

/** Softmax over one row, numerically stable. */
export function softmax(x: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]!);
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i]! - max);
  for (let i = 0; i < x.length; i++) out[i]! /= sum;
  return out;
}

export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** True when a row already holds probabilities (non-negative, summing to 1): models that end in Softmax. */
export function isProbabilityRow(x: ArrayLike<number>): boolean {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i]! >= 0 && x[i]! <= 1)) return false;
    sum += x[i]!;
  }
  return Math.abs(sum - 1) < 1e-2;
}

/**
 * Scores for one row. `auto` keeps rows that are already probabilities and applies softmax
 * otherwise (which also turns log-softmax outputs into probabilities).
 */
export function toScores(x: ArrayLike<number>, fn: ScoreFunction): Float32Array {
  if (fn === 'sigmoid') return Float32Array.from(x as ArrayLike<number>, sigmoid);
  if (fn === 'none' || (fn === 'auto' && isProbabilityRow(x))) return Float32Array.from(x as ArrayLike<number>);
  return softmax(x);
}

/** The indices of the `k` largest scores, best first (ties keep the lower index first). */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx.slice(0, Math.max(0, Math.min(k, idx.length)));
}
