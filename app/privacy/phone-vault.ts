// Phones at rest: AES-256-GCM ciphertext for reading back, HMAC-SHA256 for lookup, both keyed by DATA_KEY
// (derived sub-keys so that one never doubles as the other).
import crypto from 'node:crypto';
import { deriveKey } from './derive-key';

export class PhoneVault {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(dataKey: Buffer) {
    this.encKey = deriveKey(dataKey, 'phone encryption');
    this.macKey = deriveKey(dataKey, 'phone lookup');
  }

  /** Stable keyed hash of a normalised number: the only form a phone is searched by. */
  lookupHash(phone: string): string {
    return crypto.createHmac('sha256', this.macKey).update(phone).digest('hex');
  }

  encrypt(phone: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([c.update(phone, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}
