#!/usr/bin/env node
/**
 * Serves the demo on localhost with the headers that make the page cross-origin isolated
 * (COOP/COEP), which browsers require for SharedArrayBuffer and so for wasm threads.
 *   node demo/server.mjs [--port N] [--host H]
 * Routes: / → demo/index.html, /dist/* → the demo bundle (scripts/build-demo.mjs),
 * /models/* → demo/models, /engine/* → the engine builds (dist/engine). Also importable:
 * `startServer({ port })` resolves to `{ url, close }` (tests use port 0).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ROUTES = [
  ['/dist/', join(root, 'demo/dist')],
  ['/models/', join(root, 'demo/models')],
  ['/engine/', join(root, 'dist/engine')],
];
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
  '.map': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};

/** The file a request path maps to, or undefined (never outside the mapped folders). */
function fileFor(path, routes) {
  if (path === '/' || path === '/index.html') return join(root, 'demo/index.html');
  for (const [prefix, dir] of routes) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : undefined;
  }
  return undefined;
}

/**
 * Starts the server; `port` 0 picks a free one. `isolate: false` leaves out COOP/COEP (tests of
 * the single-thread fallback); `routes` adds [urlPrefix, folder] pairs (tests serve their pages).
 */
export function startServer({ port = 8080, host = '127.0.0.1', isolate = true, routes = [] } = {}) {
  const all = [...routes, ...ROUTES];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = fileFor(path, all);
    let size = -1;
    try { if (file) { const st = statSync(file); if (st.isFile()) size = st.size; } } catch { /* missing */ }
    if (isolate) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    if (size < 0) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolveStart({ url: `http://${host}:${a.port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : d; };
  const port = Number(arg('port', process.env.PORT ?? '8080'));
  startServer({ port, host: arg('host', '127.0.0.1') }).then(({ url }) => {
    console.log(`wasmnn demo: ${url}  (cross-origin isolated: COOP/COEP headers on; Ctrl-C stops)`);
  }, (e) => {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try --port ${port + 1}` : e.message);
    process.exit(1);
  });
}
