#!/usr/bin/env node
// Bundles the demo page and its inference worker (demo/src) into demo/dist with esbuild.
// Node-only modules are reached through dynamic imports that browsers never take: kept external.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  // host-entry: the worker proxied sessions run in, found beside the bundle (remote-session.ts).
  entryPoints: { main: 'demo/src/main.ts', worker: 'demo/src/worker.ts', 'host-entry': 'src/runtime/proxy/host-entry.ts' },
  outdir: 'demo/dist',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  external: ['node:*'],
  logLevel: 'warning',
});
console.log('demo bundle: demo/dist/{main,worker,host-entry}.js');
