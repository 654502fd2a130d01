// Inbound SMS webhooks are signed by the gateway: X-Signature = hex(HMAC-SHA256(SMS_INBOUND_SECRET, raw body)).
// Compared in constant time over the exact bytes received, before anything is parsed.
import crypto from 'node:crypto';

export function inboundSignatureValid(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header || !/^[0-9a-fA-F]{64}$/.test(header)) return false;
  const expected = crypto.createHmac('sha256', secret).update(raw).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(header, 'hex'));
}
