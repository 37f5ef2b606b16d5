/** Turns whatever image a caller has into an {@link RgbaImage}. */
import { PipelineError } from '../../errors.js';
import { readBytes } from '../resources.js';
import { decodeImage, drawToRgba } from './decode.js';
import { isImageDataLike, toRgbaImage, type ImageDataLike, type RgbaImage } from './rgba-image.js';

/**
 * An image input: a path (Node) or URL of a PNG/JPEG, its bytes, an `ImageData`-like object
 * (`{ data, width, height }` with RGBA, RGB or grey pixels), or in browsers an `ImageBitmap`,
 * `HTMLImageElement`, `HTMLCanvasElement`, `OffscreenCanvas` or `VideoFrame`.
 */
export type ImageInput = string | URL | Uint8Array | ArrayBuffer | ImageDataLike | CanvasImageSource;

/** Loads and decodes an image input. */
export async function loadImage(input: ImageInput): Promise<RgbaImage> {
  if (typeof input === 'string' || input instanceof URL) {
    const name = typeof input === 'string' ? input : input.href;
    return decodeImage(await readBytes(input, 'image'), `image "${name}"`);
  }
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    return decodeImage(input instanceof Uint8Array ? input : new Uint8Array(input));
  }
  if (isImageDataLike(input)) return toRgbaImage(input);
  const size = browserSourceSize(input);
  if (size) return drawToRgba(input as CanvasImageSource, size[0], size[1]);
  throw new PipelineError('ERR_IMAGE_FORMAT', `image input not recognised (${describe(input)}); pass a path, URL, PNG/JPEG bytes, an ImageData-like object or a browser image source`);
}

/** The pixel size of a DOM image source, or undefined when `v` is not one. */
function browserSourceSize(v: unknown): [number, number] | undefined {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object') return undefined;
  // HTMLImageElement reports its intrinsic size in naturalWidth; VideoFrame in displayWidth.
  for (const [w, h] of [['naturalWidth', 'naturalHeight'], ['displayWidth', 'displayHeight'], ['width', 'height']] as const) {
    if (typeof o[w] === 'number' && typeof o[h] === 'number' && (o[w] as number) > 0) return [o[w] as number, o[h] as number];
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}
