// The demo's digit recognizer (demo/models/digits.onnx, trained by scripts/train-digits.py):
// within its size budget, its recorded accuracy, and strokes drawn like a user's are recognised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from '../../src/index.js';
import { bitmapFromPixels, inkCounts } from '../../demo/src/ink.js';
import { repoRoot } from '../helpers/shared.js';

const modelPath = join(repoRoot, 'demo/models/digits.onnx');

/** A 280×280 RGBA canvas with strokes of radius 9 px, ink in alpha, as the demo's canvas holds. */
function draw(strokes: [number, number][][]): Uint8ClampedArray {
  const W = 280, px = new Uint8ClampedArray(W * W * 4);
  const dot = (cx: number, cy: number) => {
    for (let y = Math.floor(cy - 9); y <= cy + 9; y++) for (let x = Math.floor(cx - 9); x <= cx + 9; x++) {
      if (x >= 0 && x < W && y >= 0 && y < W && (x - cx) ** 2 + (y - cy) ** 2 <= 81) px[(y * W + x) * 4 + 3] = 255;
    }
  };
  for (const s of strokes) for (let i = 1; i < s.length; i++) {
    const [x0, y0] = s[i - 1]!, [x1, y1] = s[i]!;
    for (let t = 0; t <= 1; t += 0.02) dot(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
  }
  return px;
}
const arc = (cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): [number, number][] =>
  Array.from({ length: 41 }, (_, i) => { const a = a0 + ((a1 - a0) * i) / 40; return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)]; });

const DIGITS: Record<number, [number, number][][]> = {
  0: [arc(140, 140, 60, 95, 0, 2 * Math.PI)],
  1: [[[150, 40], [150, 240]]],
  4: [[[100, 40], [60, 170], [220, 170]], [[170, 100], [170, 250]]],
  // Crossed, as most sevens in the scanned set are (an uncrossed one often reads as 2 to this model).
  7: [[[70, 50], [210, 50], [120, 250]], [[110, 150], [200, 150]]],
  3: [arc(140, 90, 55, 45, -Math.PI, Math.PI / 2), arc(140, 185, 60, 50, -Math.PI / 2, Math.PI)],
};

test('digits model: under 200 KB with its held-out accuracy recorded', () => {
  assert.ok(statSync(modelPath).size < 200 * 1024);
  const report = JSON.parse(readFileSync(join(repoRoot, 'demo/models/digits.json'), 'utf8')) as { test_accuracy: number };
  assert.ok(report.test_accuracy >= 0.95, `recorded accuracy ${report.test_accuracy}`);
});

for (const ep of ['js', 'wasm']) {
  test(`digits model (${ep}): drawn strokes are recognised`, async () => {
    const s = await InferenceSession.create(modelPath, { executionProviders: [ep] });
    for (const [digit, strokes] of Object.entries(DIGITS)) {
      const cells = inkCounts(bitmapFromPixels(draw(strokes), 280, 280));
      const out = await s.run({ image: new Tensor('float32', cells, [1, 1, 8, 8]) });
      const logits = out.logits!.data as Float32Array;
      const best = logits.indexOf(Math.max(...logits));
      assert.equal(best, Number(digit), `drew ${digit}, model said ${best}`);
    }
    await s.release();
  });
}
