/** Reads the side files pipelines need (labels, tokenizer.json, images) from a path, URL or bytes. */
import { PipelineError, WasmnnError } from '../errors.js';
import { readModelSource } from '../load/source.js';

/** A file given as a path (Node), a URL, or its bytes. */
export type FileSource = string | URL | Uint8Array | ArrayBuffer;

/** Reads `src` as bytes; `what` names the file in errors ("labels file", "image"). */
export async function readBytes(src: FileSource, what: string, code: ConstructorParameters<typeof PipelineError>[0] = 'ERR_PIPELINE_INPUT'): Promise<Uint8Array> {
  try {
    return (await readModelSource(src)).bytes;
  } catch (e) {
    if (!(e instanceof WasmnnError)) throw e;
    const name = src instanceof URL ? src.href : typeof src === 'string' ? src : 'bytes';
    throw new PipelineError(code, `cannot read ${what} "${name}": ${e.message.replace(/^.*?: /, '')}`, { cause: e });
  }
}

/** Reads `src` as UTF-8 text. */
export async function readText(src: FileSource, what: string, code?: ConstructorParameters<typeof PipelineError>[0]): Promise<string> {
  return new TextDecoder().decode(await readBytes(src, what, code));
}
