/**
 * The record stored in a cache: "WNNC", a version byte, the metadata as JSON,
 * then the payload. Reading checks everything, so a partial or damaged entry
 * is detected instead of being handed to the decoder.
 */
import { sha256Hex } from '../integrity.js';
import type { EntryMeta } from './types.js';

const MAGIC = [0x57, 0x4e, 0x4e, 0x43]; // "WNNC"
const VERSION = 1;
const HEADER = 9; // magic, version, u32 metadata length

export function encodeEntry(payload: Uint8Array, meta: EntryMeta): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(HEADER + json.length + payload.length);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  new DataView(out.buffer).setUint32(5, json.length, true);
  out.set(json, HEADER);
  out.set(payload, HEADER + json.length);
  return out;
}

/** The payload (a view, not a copy) and metadata, or the reason the record is unusable. */
export async function decodeEntry(record: Uint8Array): Promise<{ payload: Uint8Array; meta: EntryMeta } | { corrupt: string }> {
  if (record.length < HEADER || MAGIC.some((b, i) => record[i] !== b)) return { corrupt: 'not a wasmnn cache record' };
  if (record[4] !== VERSION) return { corrupt: `record version ${record[4]}` };
  const metaLen = new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(5, true);
  if (HEADER + metaLen > record.length) return { corrupt: 'metadata cut short' };
  let meta: EntryMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(record.subarray(HEADER, HEADER + metaLen))) as EntryMeta;
  } catch {
    return { corrupt: 'unreadable metadata' };
  }
  const payload = record.subarray(HEADER + metaLen);
  if (payload.length !== meta.size) return { corrupt: `${payload.length} bytes stored, ${meta.size} expected` };
  if ((await sha256Hex(payload)) !== meta.sha256) return { corrupt: 'sha256 mismatch' };
  return { payload, meta };
}
