/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (override with WASMNN_CHROMIUM)
 * driven by playwright-core. Tests skip with one line when no browser is installed.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './shared.js';
import type { Browser } from 'playwright-core';

export const chromiumPath = process.env.WASMNN_CHROMIUM ?? '/usr/bin/chromium';

/** Flags this machine needs: no sandbox as root, no GPU, and no background network traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(chromiumPath) ? undefined : `browser tests: skipped, no Chromium at ${chromiumPath} (apt-get install chromium, or set WASMNN_CHROMIUM)`;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

/** A running demo server (demo/server.mjs). */
export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/** Starts demo/server.mjs on a free port: COOP/COEP on unless `isolate: false`; `routes` add [urlPrefix, folder] pairs. */
export async function startDemoServer(o: { isolate?: boolean; routes?: [string, string][] } = {}): Promise<DemoServer> {
  const { startServer } = await import(join(repoRoot, 'demo/server.mjs')) as {
    startServer: (o: { port: number; isolate?: boolean; routes?: [string, string][] }) => Promise<DemoServer>;
  };
  return startServer({ port: 0, ...o });
}

/**
 * Bundles a test page (`entry`, repo-relative) with the proxy worker's entry beside it into a
 * fresh folder, as `<folder>/x/y/index.html` + `<name>.js`: two levels deep so the bundle finds
 * the engine at /engine/ (its `../../engine/`). Serve `/x/` from `<folder>/x`.
 */
export async function bundleTestPage(name: string, entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), `wasmnn-${name}-page-`));
  await build({
    absWorkingDir: repoRoot, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], logLevel: 'warning',
    entryPoints: { [name]: entry, 'host-entry': 'src/runtime/proxy/host-entry.ts' }, outdir: join(dir, 'x', 'y'),
  });
  writeFileSync(join(dir, 'x', 'y', 'index.html'), `<!doctype html><title>loading</title><script type="module" src="${name}.js"></script>`);
  return dir;
}
