/**
 * Decodes PNG and JPEG bytes to RGBA. Node uses the pure-JS decoders `pngjs` and `jpeg-js`
 * (imported on first use, so browser bundles need not carry them); browsers use the
 * platform's `createImageBitmap` instead.
 */
import { PipelineError } from '../../errors.js';
import type { RgbaImage } from './rgba-image.js';

/** Image container formats recognised from their first bytes. */
export type ImageFormat = 'png' | 'jpeg';

/** Identifies PNG or JPEG from the magic bytes; undefined for anything else. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Imports a Node-only package through a specifier bundlers cannot see, so browser bundles
 * neither include nor fail on the decoders (pngjs needs Node's zlib and streams).
 */
const importNodeOnly = <T>(specifier: string): Promise<T> => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;

/** Decodes PNG or JPEG bytes; `name` identifies the image in errors. */
export async function decodeImage(bytes: Uint8Array, name = 'image bytes'): Promise<RgbaImage> {
  const format = sniffImageFormat(bytes);
  if (!format) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new PipelineError('ERR_IMAGE_FORMAT', `${name}: image format not recognised (first bytes ${head || 'none'}); expected PNG or JPEG`);
  }
  try {
    return isNode ? await decodeInNode(bytes, format) : await decodeInBrowser(bytes, format);
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw new PipelineError('ERR_IMAGE_FORMAT', `${name}: cannot decode ${format.toUpperCase()}: ${(e as Error).message}`, { cause: e });
  }
}

async function decodeInNode(bytes: Uint8Array, format: ImageFormat): Promise<RgbaImage> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    const { PNG } = await importNodeOnly<typeof import('pngjs')>('pngjs');
    // 16-bit PNGs are reduced to 8 bits, like browsers do; palette and grey are expanded to RGBA.
    const png = PNG.sync.read(buf);
    return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
  }
  const jpeg = await importNodeOnly<typeof import('jpeg-js') & { default?: typeof import('jpeg-js') }>('jpeg-js');
  const img = (jpeg.default ?? jpeg).decode(buf, { useTArray: true, formatAsRGBA: true });
  return { data: img.data, width: img.width, height: img.height };
}

async function decodeInBrowser(bytes: Uint8Array, format: ImageFormat): Promise<RgbaImage> {
  const blob = new Blob([bytes as BlobPart], { type: `image/${format}` });
  const bitmap = await createImageBitmap(blob);
  try {
    return drawToRgba(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** Reads the pixels of a browser image source by drawing it on an OffscreenCanvas. */
export function drawToRgba(source: CanvasImageSource, width: number, height: number): RgbaImage {
  if (typeof OffscreenCanvas === 'undefined') {
    throw new PipelineError('ERR_IMAGE_FORMAT', 'reading pixels from an image element or bitmap needs OffscreenCanvas, which this environment lacks');
  }
  const ctx = new OffscreenCanvas(width, height).getContext('2d');
  if (!ctx) throw new PipelineError('ERR_IMAGE_FORMAT', 'cannot create a 2-D canvas context to read image pixels');
  ctx.drawImage(source, 0, 0);
  const d = ctx.getImageData(0, 0, width, height);
  return { data: d.data, width, height };
}
