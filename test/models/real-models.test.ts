/** Every model in ../shared/models must reproduce its reference outputs on the js and wasm backends (wasm-mt: 2 threads). */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTestDir } from '../conformance/one-test.js';
import { sharedOrSkip } from '../helpers/shared.js';

const root = sharedOrSkip('models', 'real models');
const models = root ? readdirSync(root).filter((d) => existsSync(join(root, d, 'model.onnx'))).sort() : [];

for (const backend of ['js', 'wasm', 'wasm-mt']) {
  describe(`real models (${backend} backend)`, { skip: root ? false : 'shared models not found' }, () => {
    for (const m of models) {
      it(m, async () => {
        const r = await runTestDir(join(root!, m), m, backend, { rtol: 1e-3, atol: 1e-4 });
        assert.equal(r.status, 'pass', r.reason);
      });
    }
  });
}
