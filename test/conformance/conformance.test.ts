/**
 * Runs the ONNX conformance suites as part of `npm test`: fails when a test listed
 * in expected-pass.txt no longer passes, on the js backend, wasm, and wasm on 2 threads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from '../helpers/shared.js';

it('ONNX conformance: no regressions against expected-pass.txt', { timeout: 40 * 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/conformance/run.ts'), '--quiet', '--backend', 'js,wasm,wasm-mt'], {
    cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout}${r.stderr}`;
  // Summaries and regressions only; individual known failures are in the full report (npm run conformance).
  for (const line of out.split('\n')) if (/^(suite |REGRESSION|conformance:|added|#|\d+ passing)/.test(line)) console.log(line);
  assert.equal(r.status, 0, 'conformance regressions (see REGRESSION lines above)');
});
