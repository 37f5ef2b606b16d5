#!/usr/bin/env node
// npm test: unit, differential, real-model and conformance tests through node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dirs = ['test/unit', 'test/differential', 'test/models', 'test/pipelines', 'test/conformance', 'test/browser'];
const only = process.argv.slice(2);
const files = [];
for (const d of dirs) {
  if (only.length && !only.some((o) => d.includes(o))) continue;
  const walk = (p) => {
    for (const f of readdirSync(p).sort()) {
      const full = join(p, f);
      if (statSync(full).isDirectory()) walk(full);
      else if (f.endsWith('.test.ts')) files.push(full);
    }
  };
  walk(d);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
