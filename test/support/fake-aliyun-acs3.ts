// Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), checked the way Alibaba Cloud's gateways check
// it, for the fakes of its APIs (SMS, number authentication):
//   CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n x-acs-content-sha256
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
// with query keys sorted and values RFC 3986-encoded, and every x-acs-* header (plus host) signed.
import crypto from 'node:crypto';
import type http from 'node:http';

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmacHex = (key: string, data: string) => crypto.createHmac('sha256', key).update(data).digest('hex');
const sameHex = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export type Acs3Check = { ok: true; accessKeyId: string } | { ok: false; accessKeyId: string; status: number; code: string; message: string };

/** Checks one request's signature against the one key pair the fake knows; `nonces` remembers the used ones. */
export function verifyAcs3(req: http.IncomingMessage, raw: Buffer, keys: { accessKeyId: string; accessKeySecret: string }, nonces: Set<string>): Acs3Check {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const auth = String(req.headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(auth);
  const refuse = (status: number, code: string, message: string): Acs3Check => ({ ok: false, accessKeyId: m?.[1] ?? '', status, code, message });
  if (!m) return refuse(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  const [, accessKeyId, signedList, signature] = m;
  if (accessKeyId !== keys.accessKeyId) return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const signed = signedList.split(';');
  const acsHeaders = Object.keys(req.headers).filter((h) => h.startsWith('x-acs-'));
  if (!signed.includes('host') || acsHeaders.some((h) => !signed.includes(h))) return refuse(400, 'IncompleteSignature', 'The host header and every x-acs-* header must be signed.');
  const payloadHash = String(req.headers['x-acs-content-sha256'] ?? '');
  if (payloadHash !== sha256Hex(raw)) return refuse(400, 'IncompleteSignature', 'x-acs-content-sha256 does not match the body.');
  const date = Date.parse(String(req.headers['x-acs-date'] ?? ''));
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > 15 * 60_000) return refuse(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  const nonce = String(req.headers['x-acs-signature-nonce'] ?? '');
  if (!nonce || nonces.has(nonce)) return refuse(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');

  const query = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalQuery = query.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [req.method, url.pathname, canonicalQuery, canonicalHeaders, signed.join(';'), payloadHash].join('\n');
  const expected = hmacHex(keys.accessKeySecret, `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`);
  if (!sameHex(expected, signature)) return refuse(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
  nonces.add(nonce);
  return { ok: true, accessKeyId };
}

/** RPC parameters travel in the query (what the SDKs do) or in a form body. */
export function rpcParams(req: http.IncomingMessage, raw: Buffer): URLSearchParams {
  const params = new URLSearchParams(new URL(req.url ?? '/', 'http://placeholder').search);
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params.set(k, v);
  return params;
}
