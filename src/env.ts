/** Global settings, shaped like onnxruntime-web's `env`. */
export interface Env {
  wasm: {
    /**
     * Threads for the wasm backend; 0 (default) = min(4, ceil(cores / 2)) where shared memory works
     * (Node; browsers only when the page is cross-origin isolated), else 1 with one warning.
     * A session's `intraOpNumThreads` overrides it.
     */
    numThreads: number;
    simd: boolean;
    /**
     * In a browser page's main thread, run sessions in a worker so inference never blocks the
     * page (default true; a session's `proxy` option overrides it). Ignored in workers and Node.
     */
    proxy: boolean;
    /**
     * Where to find engine .wasm files, overriding the default beside the module: a folder URL or
     * path (`'https://cdn.example/wasmnn/'`, relative to the page or the working directory) or a map
     * from file name (`'engine-simd.wasm'`, `'engine-relaxed.wasm'`) to URL. Set before the first session.
     */
    wasmPaths?: string | Record<string, string>;
    /**
     * Engine binaries given as bytes, by file name (`'engine-simd.wasm'`…): used instead of fetching,
     * for places with no file serving (service workers, extensions). `wasmnn/inline` sets it.
     */
    wasmBinary?: Record<string, Uint8Array | ArrayBuffer>;
  };
  logLevel: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  debug: boolean;
}

export const env: Env = {
  wasm: { numThreads: 0, simd: true, proxy: true },
  logLevel: 'warning',
  debug: false,
};
