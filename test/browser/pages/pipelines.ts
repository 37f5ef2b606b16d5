/**
 * Test page for pipelines on browser image sources: an <img>, an ImageBitmap and a canvas go
 * through image-classification (proxied to the worker by default, as in any page).
 */
import { pipeline } from '../../../src/pipelines/index.js';

async function classifySources(modelUrl: string, labels: string[], imageUrl: string): Promise<Record<string, string>> {
  const classify = await pipeline('image-classification', new URL(modelUrl, location.href).href, { labels, preprocess: { channels: 'bgr', rescale: 1 }, topK: 1 });
  const img = new Image();
  img.src = imageUrl;
  await img.decode();
  const bitmap = await createImageBitmap(img);
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  canvas.getContext('2d')!.drawImage(img, 0, 0);
  const out: Record<string, string> = {};
  for (const [name, src] of [['img', img], ['bitmap', bitmap], ['canvas', canvas]] as const) {
    const top = await classify(src) as { label: string }[];
    out[name] = top[0]!.label;
  }
  out.proxied = String((classify.session as { proxied?: boolean }).proxied === true);
  await classify.release();
  return out;
}

(window as unknown as { classifySources: typeof classifySources }).classifySources = classifySources;
document.title = 'ready';
