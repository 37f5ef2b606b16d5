/**
 * Checks that what a server sent is what was asked for, before it is decoded
 * or cached: not an HTML page, and (for models) bytes shaped like a ModelProto.
 */

/** ModelProto fields and their wire types (0 varint, 2 length-delimited). */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2],
]);

/** True when the bytes (or the Content-Type) say this is an HTML or XML document. */
export function looksLikeHtml(bytes: Uint8Array, contentType: string | null): boolean {
  if (contentType && /^\s*(text\/html|application\/xhtml)/i.test(contentType)) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).replace(/^\uFEFF?\s*/, '').toLowerCase();
  return head.startsWith('<!doctype') || head.startsWith('<html') || head.startsWith('<?xml') || head.startsWith('<head') || head.startsWith('<body');
}

/** A short human description of a response body, for error messages. */
export function describeBody(bytes: Uint8Array, contentType: string | null): string {
  const type = contentType ? `, Content-Type ${contentType}` : '';
  if (looksLikeHtml(bytes, contentType)) {
    const text = new TextDecoder().decode(bytes.subarray(0, 4096));
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    const gist = title ?? text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
    return `an HTML page (${bytes.length} bytes${type})${gist ? `: "${gist}"` : ''}`;
  }
  const hex = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes${type}${bytes.length ? ` starting ${hex}` : ''}`;
}

/**
 * Walks the top-level fields of a would-be ModelProto (without decoding them)
 * and returns why the bytes are not one, or undefined when they look right:
 * known fields with their proper wire types, lengths inside the buffer, and a graph.
 */
export function notAModelReason(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the body is empty';
  let pos = 0;
  let sawGraph = false;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.length) return undefined;
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (pos < bytes.length) {
    const at = pos;
    const tag = varint();
    if (tag === undefined) return `it ends inside a field tag at byte ${at}`;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const expected = MODEL_FIELDS.get(field);
    if (field === 0 || wire === 3 || wire === 4 || wire > 5 || (expected !== undefined && expected !== wire)) {
      return `byte ${at} is not a ModelProto field (field ${field}, wire type ${wire})`;
    }
    if (wire === 0) {
      if (varint() === undefined) return `it ends inside field ${field} at byte ${at}`;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > bytes.length) return `it ends inside field ${field} at byte ${at}`;
    } else {
      const len = varint();
      if (len === undefined || pos + len > bytes.length) {
        const short = len === undefined ? '' : ` (${pos + len - bytes.length} bytes missing)`;
        return `it ends inside field ${field}${field === 7 ? ' (the graph)' : ''} at byte ${at}${short}: truncated?`;
      }
      pos += len;
      if (field === 7) sawGraph = true;
    }
  }
  return sawGraph ? undefined : 'it has no graph';
}
