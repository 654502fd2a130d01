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
 * The base64 text of the single `<Encrypt>` element outside CDATA (itself in CDATA or bare), or why
 * there is none. Linear in the body's length; decodes the bytes as latin1, which keeps ASCII markup and
 * base64 exact and cannot fail on hostile bytes.
 */
export function extractEncrypt(raw: Buffer): { ok: true; encrypt: string } | { ok: false; error: EncryptFieldError } {
  const text = raw.toString('latin1');
  let found: string | undefined;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith(CDATA_OPEN, lt)) {
      const end = text.indexOf(CDATA_CLOSE, lt + CDATA_OPEN.length);
      if (end < 0) return { ok: false, error: 'malformed' };
      i = end + CDATA_CLOSE.length;
      continue;
    }
    if (!text.startsWith(OPEN, lt)) {
      i = lt + 1;
      continue;
    }
    if (found !== undefined) return { ok: false, error: 'repeated' };
    const start = lt + OPEN.length;
    const end = text.indexOf(CLOSE, start);
    if (end < 0) return { ok: false, error: 'malformed' };
    let value = text.slice(start, end).trim();
    if (value.startsWith(CDATA_OPEN)) {
      if (!value.endsWith(CDATA_CLOSE)) return { ok: false, error: 'malformed' };
      value = value.slice(CDATA_OPEN.length, -CDATA_CLOSE.length);
    }
    if (!BASE64.test(value)) return { ok: false, error: 'malformed' };
    found = value;
    i = end + CLOSE.length;
  }
  return found === undefined ? { ok: false, error: 'absent' } : { ok: true, encrypt: found };
}
