/**
 * Tensors whose storage stays in the model file until first read. A model
 * loaded from a path decodes its large payloads into these, so the file's
 * bytes are never all in memory at once; a backend that copies a weight into
 * its own memory can then {@link releaseStorage} it, and the JS copy becomes
 * garbage instead of sitting beside the engine's.
 */
import type { DataType, TensorData } from '../dtype.js';
import { deferredTensor, type Tensor } from '../tensor.js';

interface Storage {
  /** Held once read, until released. */
  kept: TensorData | undefined;
  /** After release: the last read, while something else still uses it. */
  recent: WeakRef<TensorData> | undefined;
  released: boolean;
  /** Reads the stored bytes straight into a destination, when they equal the storage's bytes. */
  readRaw: ((into: Uint8Array) => void) | undefined;
}

const storages = new WeakMap<Tensor, Storage>();

/**
 * A Tensor of `type` and `dims` whose `data` is produced by `load` on first
 * access and kept. `load` must return storage of exactly `size` elements.
 * `readRaw`, when given, fills a byte view of the storage without keeping it.
 * `initial`, when given, is the data already loaded (kept until released).
 */
export function fileBackedTensor(type: DataType, dims: readonly number[], size: number, load: () => TensorData, readRaw?: (into: Uint8Array) => void, initial?: TensorData): Tensor {
  const s: Storage = { kept: initial, recent: undefined, released: false, readRaw };
  const t = deferredTensor(type, dims, size, () => {
    if (s.kept) return s.kept;
    const seen = s.recent?.deref();
    if (seen) return seen;
    const d = load();
    if (s.released) s.recent = new WeakRef(d as object) as WeakRef<TensorData>;
    else s.kept = d;
    return d;
  });
  storages.set(t, s);
  return t;
}

/** Whether `t`'s storage can be re-read from its file (so dropping it loses nothing). */
export function isFileBacked(t: Tensor): boolean {
  return storages.has(t);
}

/** Whether `t` is file-backed and its JS storage was released (it is read again on use). */
export function isReleased(t: Tensor): boolean {
  return storages.get(t)?.released ?? false;
}

/**
 * Drops a file-backed tensor's JS storage: later reads load it again (kept only
 * while in use). Returns false, doing nothing, for other tensors.
 */
export function releaseStorage(t: Tensor): boolean {
  const s = storages.get(t);
  if (!s) return false;
  s.released = true;
  s.kept = undefined;
  return true;
}

/**
 * Copies `t`'s elements into `dst` (same element type, length `t.size`). A file-backed
 * tensor not already in memory is read from the file straight into `dst`, so a backend
 * filling its own memory never materializes the JS copy.
 */
export function copyData(t: Tensor, dst: Float32Array): void {
  const s = storages.get(t);
  if (s?.readRaw && !s.kept && !s.recent?.deref() && dst.length === t.size) {
    s.readRaw(new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength));
    return;
  }
  dst.set(t.data as Float32Array);
}
