/** Non-maximum suppression over candidate boxes. */
import type { Candidate } from './types.js';

/** Intersection over union of two corner-form boxes. */
export function iou(a: Candidate, b: Candidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS: best score first, dropping boxes that overlap a kept box by more than
 * `iouThreshold`. Class-aware unless `classAgnostic`: boxes only suppress boxes of their own class.
 */
export function nonMaxSuppression(cands: readonly Candidate[], iouThreshold: number, maxDetections = Infinity, classAgnostic = false): Candidate[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.every((k) => (!classAgnostic && k.classIndex !== c.classIndex) || iou(k, c) <= iouThreshold)) kept.push(c);
  }
  return kept;
}
