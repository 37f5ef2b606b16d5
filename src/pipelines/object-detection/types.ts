/** Shared types of the detection decoders. */

/** A candidate box in model-input pixels, before non-maximum suppression. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classIndex: number;
}

/** What a decoder gets: the model's outputs (float32) with dims, and the input size in pixels. */
export interface DecoderInput {
  outputs: { data: Float32Array; dims: readonly number[]; name: string }[];
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
}
