/** A cache directory on disk (Node). Writes go to a temporary file renamed into place, so readers never see half an entry. */
import type { CacheLike } from './types.js';

/** The default cache directory for this OS (see {@link CacheOption}). */
export async function defaultCacheDir(): Promise<string> {
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const e = process.env;
  if (e.WASMNN_CACHE_DIR) return e.WASMNN_CACHE_DIR;
  if (e.XDG_CACHE_HOME) return join(e.XDG_CACHE_HOME, 'wasmnn');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'wasmnn');
  if (process.platform === 'win32' && e.LOCALAPPDATA) return join(e.LOCALAPPDATA, 'wasmnn', 'cache');
  return join(homedir(), '.cache', 'wasmnn');
}

export class DirCache implements CacheLike {
  /** `dir` may be a promise so the default can be found lazily. */
  constructor(private readonly dir: string | Promise<string>) {}

  /** The file holding `key`: named by a hash of the key, which may be any string. */
  async fileFor(key: string): Promise<string> {
    const { createHash } = await import('node:crypto');
    const { join } = await import('node:path');
    return join(await this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.bin`);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { readFile } = await import('node:fs/promises');
    try {
      const b = await readFile(await this.fileFor(key));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const { mkdir, rename, rm, writeFile } = await import('node:fs/promises');
    const file = await this.fileFor(key);
    await mkdir(await this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const { rm } = await import('node:fs/promises');
    await rm(await this.fileFor(key), { force: true });
  }
}
