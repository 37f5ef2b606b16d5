/** Object detection: the pipeline, its decoders and NMS. */
export { objectDetection, detectionDecoder, type ObjectDetectionOptions, type ObjectDetectionPipeline, type ObjectDetectionCallOptions, type Detection, type DetectionDecoder } from './pipeline.js';
export { nonMaxSuppression, iou } from './nms.js';
export { decodeYolov5, decodeYolov8, decodeFastestDet } from './yolo.js';
export { decodeSsd, generatePriors, type SsdOptions, type PriorOptions } from './ssd.js';
export type { Candidate, DecoderInput } from './types.js';
