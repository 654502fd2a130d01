// The gateway's side of an inbound SMS webhook, for tests: X-Signature = hex(HMAC-SHA256(secret, raw body)),
// as app/sms/inbound-signature.ts checks it.
import crypto from 'node:crypto';

export function inboundSignature(secret: string, raw: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(raw).digest('hex');
}
