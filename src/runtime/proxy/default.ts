/** When a session or pipeline runs in the proxy worker if the caller does not say. */
import { env } from '../../env.js';

/** True in a browser page's main thread while `env.wasm.proxy` is on; false in workers and Node. */
export function proxyByDefault(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window === 'object' && typeof g.document === 'object' && env.wasm.proxy;
}
