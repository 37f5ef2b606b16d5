/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (override with WASMNN_CHROMIUM)
 * driven by playwright-core. Tests skip with one line when no browser is installed.
 */
import { existsSync } from 'node:fs';
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
