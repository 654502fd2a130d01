// The carrier API's request signature (docs/interfaces.md "Carrier API signature"):
//   X-Signature = hex(HMAC-SHA256(secret, METHOD \n PATH \n X-Timestamp \n X-Nonce \n hex(SHA-256(raw body))))
// PATH is the request target as sent, query string included; a GET signs the hash of the empty body.
import crypto from 'node:crypto';

export const TIMESTAMP_WINDOW_SEC = 300;
/** Nonces are remembered for the whole span a timestamp can be accepted in (±300 s). */
export const NONCE_TTL_MS = 2 * TIMESTAMP_WINDOW_SEC * 1000;

export function expectedSignature(secret: string, method: string, pathWithQuery: string, timestamp: string, nonce: string, rawBody: Buffer): Buffer {
  // One-shot hash: no Hash object per request.
  const bodyHash = crypto.hash('sha256', rawBody, 'hex');
  return crypto.createHmac('sha256', secret).update(`${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${bodyHash}`).digest();
}

/** Constant-time comparison of a hex signature header with the expected MAC. */
export function signatureMatches(header: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(header)) return false;
  return crypto.timingSafeEqual(Buffer.from(header, 'hex'), expected);
}
