/** Messages between the demo page and its inference worker (the page never runs a model itself). */

/** A tensor as it crosses postMessage: its data buffer is transferred, not copied. */
export interface WireTensor {
  type: string;
  dims: number[];
  data: ArrayBufferView;
}

export type Request =
  | { id: number; kind: 'create'; key: string; model: ArrayBuffer | string; backend: string; threads: number }
  | { id: number; kind: 'run'; key: string; feeds: Record<string, WireTensor> }
  | { id: number; kind: 'release'; key: string }
  | { id: number; kind: 'pipeline'; key: string; task: DemoTask; model: ArrayBuffer | string; backend: string; threads: number; options: DemoPipelineOptions }
  | { id: number; kind: 'infer'; key: string; input: { image: { data: Uint8ClampedArray; width: number; height: number } } | { text: string } };

/** The tasks the demo's model panel offers. */
export type DemoTask = 'image-classification' | 'object-detection' | 'text-classification';

/** Pipeline options that cross to the worker: files arrive as bytes. */
export interface DemoPipelineOptions {
  labels?: ArrayBuffer;
  tokenizer?: ArrayBuffer;
  decoder?: 'fastestdet' | 'yolov5' | 'yolov8' | 'ssd';
  /** Image preprocessing overrides (channel order, value scale, mean/std). */
  preprocess?: { channels?: 'rgb' | 'bgr'; rescale?: number; mean?: number[]; std?: number[] };
}

export type Reply =
  | { id: number; ok: true; kind: 'created'; inputNames: string[]; outputNames: string[]; backend: string; reason: string; ms: number;
      inputs: { name: string; type?: string; shape?: (number | string | undefined)[] }[] }
  | { id: number; ok: true; kind: 'ran'; outputs: Record<string, WireTensor>; ms: number }
  | { id: number; ok: true; kind: 'released' }
  | { id: number; ok: true; kind: 'inferred'; result: unknown; ms: number }
  | { id: number; ok: false; error: string }
  | { id: -1; ok: true; kind: 'progress'; key: string; loaded: number; total?: number; phase: string };
