/**
 * A local HTTP server for loader tests: serves files with or without
 * Content-Length, ETags (answering If-None-Match with 304), HTML error pages,
 * truncated bodies and stalled bodies, and counts the requests per path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body: Uint8Array | string;
  status?: number;
  contentType?: string;
  /** Send Content-Length (default true); false streams the body in chunks without one. */
  length?: boolean;
  etag?: string;
  /** Send only this many bytes, then drop the connection (Content-Length still says the full size). */
  truncateAt?: number;
  /** Send this many bytes, then stall until the client goes away. */
  stallAt?: number;
  /** Milliseconds between the body's chunks, as a slow network delivers them (default: back to back, which a busy client may read as one). */
  paceMs?: number;
}

export interface ModelServer {
  url(path: string): string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  route(path: string, r: Route): void;
  close(): Promise<void>;
}

export async function startModelServer(routes: Record<string, Route> = {}): Promise<ModelServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const r = table.get(path);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nope</body></html>');
      return;
    }
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
    const headers: Record<string, string> = { 'content-type': r.contentType ?? 'application/octet-stream' };
    if (r.etag) {
      headers.etag = r.etag;
      if (req.headers['if-none-match'] === r.etag) { res.writeHead(304, headers).end(); return; }
    }
    if (r.length !== false) headers['content-length'] = String(body.length);
    res.writeHead(r.status ?? 200, headers);
    if (r.truncateAt !== undefined) {
      res.write(body.subarray(0, r.truncateAt), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (r.stallAt !== undefined) {
      res.write(body.subarray(0, r.stallAt));
      return;
    }
    // Several writes, so the client sees several chunks.
    const step = Math.max(1, Math.ceil(body.length / 8));
    if (r.paceMs) {
      const send = (i: number): void => {
        if (i >= body.length || res.destroyed) { res.end(); return; }
        res.write(body.subarray(i, i + step));
        setTimeout(() => send(i + step), r.paceMs);
      };
      send(0);
      return;
    }
    for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    hits,
    route: (p, r) => { table.set(p, r); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
