/**
 * Finds and compiles the engine binary. By default it sits beside the built
 * module (`dist/engine/`, found with `new URL(…, import.meta.url)` so bundlers
 * copy it); `env.wasm.wasmPaths` overrides that, and `env.wasm.wasmBinary` (bytes, as
 * the inline build sets) skips fetching altogether. Served as application/wasm it
 * is compiled while it downloads (compileStreaming), otherwise from a buffer.
 */
import { env } from '../../env.js';
import { WasmnnError } from '../../errors.js';

/** The engine builds: simd128 or relaxed SIMD, each with its own memory or (-mt) on an imported shared memory for threads. */
export type EngineFile = 'engine-simd.wasm' | 'engine-relaxed.wasm' | 'engine-simd-mt.wasm' | 'engine-relaxed-mt.wasm';

/** How a module was compiled, for tests and diagnostics. */
export type CompileMethod = 'file' | 'streaming' | 'buffer';

/** Where the engine may be: the `env.wasm.wasmPaths` override alone when set, else beside the module (or dist/ when running from src/). */
export async function engineUrls(file: EngineFile): Promise<URL[]> {
  const paths = env.wasm.wasmPaths;
  if (paths !== undefined) {
    const target = typeof paths === 'string' ? `${paths}${paths.endsWith('/') ? '' : '/'}${file}` : paths[file];
    if (!target) throw new WasmnnError('ERR_ENGINE_LOAD', `env.wasm.wasmPaths has no entry for "${file}" (keys: ${Object.keys(paths).join(', ') || 'none'})`);
    return [new URL(target, await baseUrl())];
  }
  return [BESIDE[file](), new URL(`../../../dist/engine/${file}`, import.meta.url)];
}

/** Literal `new URL(…, import.meta.url)` expressions, so bundlers see and copy each engine file. */
const BESIDE: Record<EngineFile, () => URL> = {
  'engine-simd.wasm': () => new URL('../../engine/engine-simd.wasm', import.meta.url),
  'engine-relaxed.wasm': () => new URL('../../engine/engine-relaxed.wasm', import.meta.url),
  'engine-simd-mt.wasm': () => new URL('../../engine/engine-simd-mt.wasm', import.meta.url),
  'engine-relaxed-mt.wasm': () => new URL('../../engine/engine-relaxed-mt.wasm', import.meta.url),
};

/** Relative overrides resolve against the page in browsers and the working directory in Node. */
async function baseUrl(): Promise<string> {
  const loc = (globalThis as { location?: { href: string } }).location;
  if (loc) return loc.href;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { pathToFileURL } = await import('node:url');
    return pathToFileURL(`${process.cwd()}/`).href;
  }
  return import.meta.url;
}

/** Compiles the module at `url`: read from disk for file: URLs, streamed when served as application/wasm. */
export async function compileFrom(url: URL): Promise<{ module: WebAssembly.Module; method: CompileMethod }> {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return { module: await WebAssembly.compile(await readFile(url)), method: 'file' };
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  // compileStreaming rejects anything not labelled application/wasm, and a consumed body cannot be retried.
  if (typeof WebAssembly.compileStreaming === 'function' && /^application\/wasm\b/i.test(type)) {
    return { module: await WebAssembly.compileStreaming(res), method: 'streaming' };
  }
  return { module: await WebAssembly.compile(await res.arrayBuffer()), method: 'buffer' };
}

/** Compiles the engine file from the first location that works; errors name every location tried. */
export async function compileEngine(file: EngineFile): Promise<WebAssembly.Module> {
  const inline = env.wasm.wasmBinary?.[file];
  if (inline) return WebAssembly.compile(inline as Uint8Array<ArrayBuffer>);
  const errors: string[] = [];
  for (const url of await engineUrls(file)) {
    try {
      return (await compileFrom(url)).module;
    } catch (e) {
      errors.push(`${url.href}: ${(e as Error).message}`);
    }
  }
  throw new WasmnnError('ERR_ENGINE_LOAD', `cannot load ${file} (run \`npm run build\`, or set env.wasm.wasmPaths): ${errors.join('; ')}`);
}
