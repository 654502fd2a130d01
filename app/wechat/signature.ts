// WeChat's callback signatures: sha1 over the lexically sorted parts, compared in constant time so a forger
// learns nothing from how long a wrong guess took to be refused.
import crypto from 'node:crypto';

export function sha1Sorted(...parts: string[]): string {
  return crypto.createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time equality of two hex digests; WeChat sends lower case, upper case is tolerated. */
export function sameDigest(expected: string, given: string | undefined | null): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The plain `signature` of the query string: sha1(sort([token, timestamp, nonce])). */
export function checkSignature(token: string, timestamp: string | undefined, nonce: string | undefined, signature: string | undefined): boolean {
  if (!timestamp || !nonce || !signature) return false;
  return sameDigest(sha1Sorted(token, timestamp, nonce), signature);
}
