/**
 * YOLO-style heads with rows of `[cx, cy, w, h, (objectness), class scores…]` in model-input
 * pixels. YOLOv5 has objectness and rows as the last axis ([1, N, 5+C]); YOLOv8 has no
 * objectness and is transposed ([1, 4+C, N]). FastestDet exports (as decoded by the
 * onnxruntime-extensions vision samples) use the YOLOv5 row layout but weight scores as
 * objectness^0.6 × class^0.4, as FastestDet's own demo does.
 */
import { PipelineError } from '../../errors.js';
import type { Candidate, DecoderInput } from './types.js';

interface RowLayout {
  rows: number;
  width: number;
  /** Reads element `k` of row `r`. */
  at: (r: number, k: number) => number;
}

function rowLayout(out: DecoderInput['outputs'][number], transposed: boolean, minWidth: number, head: string): RowLayout {
  const d = out.dims;
  if (d.length !== 3 || d[0] !== 1) throw new PipelineError('ERR_PIPELINE_MODEL', `${head} decoder expects output "${out.name}" of shape [1, ${transposed ? 'features, boxes' : 'boxes, features'}], got [${d.join(', ')}]`);
  const [rows, width] = transposed ? [d[2]!, d[1]!] : [d[1]!, d[2]!];
  if (width < minWidth) throw new PipelineError('ERR_PIPELINE_MODEL', `${head} decoder expects at least ${minWidth} values per box in output "${out.name}", got ${width} (shape [${d.join(', ')}])`);
  const x = out.data;
  return { rows, width, at: transposed ? (r, k) => x[k * rows + r]! : (r, k) => x[r * width + k]! };
}

function box(cx: number, cy: number, w: number, h: number, score: number, classIndex: number): Candidate {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classIndex };
}

/** Decodes rows with objectness; `combine` merges objectness and the best class score. */
function decodeWithObjectness(input: DecoderInput, head: string, combine: (obj: number, cls: number) => number): Candidate[] {
  const L = rowLayout(input.outputs[0]!, false, 6, head);
  const out: Candidate[] = [];
  for (let r = 0; r < L.rows; r++) {
    let best = 5;
    for (let k = 6; k < L.width; k++) if (L.at(r, k) > L.at(r, best)) best = k;
    const score = combine(L.at(r, 4), L.at(r, best));
    if (score > input.scoreThreshold) out.push(box(L.at(r, 0), L.at(r, 1), L.at(r, 2), L.at(r, 3), score, best - 5));
  }
  return out;
}

/** YOLOv5 (also v7, YOLOX-style exports): score = objectness × class score. */
export function decodeYolov5(input: DecoderInput): Candidate[] {
  return decodeWithObjectness(input, 'yolov5', (obj, cls) => obj * cls);
}

/** FastestDet: score = objectness^0.6 × class^0.4. */
export function decodeFastestDet(input: DecoderInput): Candidate[] {
  return decodeWithObjectness(input, 'fastestdet', (obj, cls) => obj ** 0.6 * cls ** 0.4);
}

/** YOLOv8 (also v9–v11): [1, 4+C, N], score = best class score. */
export function decodeYolov8(input: DecoderInput): Candidate[] {
  const L = rowLayout(input.outputs[0]!, true, 5, 'yolov8');
  const out: Candidate[] = [];
  for (let r = 0; r < L.rows; r++) {
    let best = 4;
    for (let k = 5; k < L.width; k++) if (L.at(r, k) > L.at(r, best)) best = k;
    const score = L.at(r, best);
    if (score > input.scoreThreshold) out.push(box(L.at(r, 0), L.at(r, 1), L.at(r, 2), L.at(r, 3), score, best - 4));
  }
  return out;
}
