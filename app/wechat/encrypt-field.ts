// The one field msg_signature covers, found in the raw body without parsing it: an unauthenticated request
// must cost a few indexOf calls, not an XML parse (64 KB of nested junk took tens of milliseconds to parse).
// The scan skips CDATA sections, so a subscriber's text that happens to contain "<Encrypt>" (compatible
// mode carries the plain Content beside the ciphertext) is never mistaken for the field.

const OPEN = '<Encrypt>';
const CLOSE = '</Encrypt>';
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type EncryptFieldError = 'absent' | 'repeated' | 'malformed';

/**
 * The next `needle` at or after `from`, searched by its tail after the leading `<`: junk is full of `<`,
 * and a search whose first byte matches everywhere is several times slower than one for a rare byte.
 */
function find(raw: Buffer, needle: string, from: number): number {
  const tail = needle.slice(1);
  for (let at = raw.indexOf(tail, from + 1, 'latin1'); at >= 0; at = raw.indexOf(tail, at + 1, 'latin1')) {
    if (raw[at - 1] === 0x3c /* < */) return at - 1;
  }
  return -1;
}

/**
 * The base64 text of the single `<Encrypt>` element outside CDATA (itself in CDATA or bare), or why
 * there is none. Works on the bytes with native searches only (two forward scans: the next CDATA section,
 * the next `<Encrypt>`), so its cost is a memchr-speed pass over the body whatever the markup inside it.
 */
export function extractEncrypt(raw: Buffer): { ok: true; encrypt: string } | { ok: false; error: EncryptFieldError } {
  let found: string | undefined;
  let i = 0;
  let cdata = find(raw, CDATA_OPEN, 0);
  let open = find(raw, OPEN, 0);
  for (;;) {
    if (open < 0) break;
    if (cdata >= 0 && cdata < open) {
      // Skip the whole CDATA section: a subscriber's text may say "<Encrypt>".
      const end = raw.indexOf(CDATA_CLOSE, cdata + CDATA_OPEN.length, 'latin1');
      if (end < 0) return { ok: false, error: 'malformed' };
      i = end + CDATA_CLOSE.length;
      cdata = find(raw, CDATA_OPEN, i);
      if (open < i) open = find(raw, OPEN, i);
      continue;
    }
    if (found !== undefined) return { ok: false, error: 'repeated' };
    const start = open + OPEN.length;
    const end = raw.indexOf(CLOSE, start, 'latin1');
    if (end < 0) return { ok: false, error: 'malformed' };
    let value = raw.toString('latin1', start, end).trim();
    if (value.startsWith(CDATA_OPEN)) {
      if (!value.endsWith(CDATA_CLOSE)) return { ok: false, error: 'malformed' };
      value = value.slice(CDATA_OPEN.length, -CDATA_CLOSE.length);
    }
    if (!BASE64.test(value)) return { ok: false, error: 'malformed' };
    found = value;
    i = end + CLOSE.length;
    if (cdata >= 0 && cdata < i) cdata = find(raw, CDATA_OPEN, i);
    open = find(raw, OPEN, i);
  }
  return found === undefined ? { ok: false, error: 'absent' } : { ok: true, encrypt: found };
}
