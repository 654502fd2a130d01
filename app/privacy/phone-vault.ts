// Phones at rest: AES-256-GCM ciphertext for reading back, HMAC-SHA256 for lookup, both keyed by DATA_KEY
// (derived sub-keys so that one never doubles as the other).
import crypto from 'node:crypto';
import { deriveKey } from './derive-key';

export class PhoneVault {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(dataKey: Buffer, derived?: { encKey: Buffer; macKey: Buffer }) {
    this.encKey = derived?.encKey ?? deriveKey(dataKey, 'phone encryption');
    this.macKey = derived?.macKey ?? deriveKey(dataKey, 'phone lookup');
  }

  /** The sub-keys, for a sealing worker thread of this process (seal-pool.ts) and nothing else. */
  subKeys(): { encKey: Buffer; macKey: Buffer } {
    return { encKey: Buffer.from(this.encKey), macKey: Buffer.from(this.macKey) };
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

  /**
   * Lookup hash and ciphertext of many numbers at once, for imports: what lookupHash and encrypt give one
   * by one (same forms), a third cheaper, the nonces drawn from the system's CSPRNG in one call.
   */
  sealMany(phones: readonly string[]): { hashes: string[]; ciphers: string[] } {
    const n = phones.length;
    const hashes = new Array<string>(n);
    const ciphers = new Array<string>(n);
    const ivs = crypto.randomBytes(12 * n);
    for (let i = 0; i < n; i++) {
      const phone = phones[i];
      hashes[i] = crypto.createHmac('sha256', this.macKey).update(phone).digest('hex');
      const iv = ivs.subarray(12 * i, 12 * i + 12);
      const c = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
      const body = c.update(phone, 'utf8');
      const tail = c.final();
      const out = Buffer.allocUnsafe(28 + body.length + tail.length);
      iv.copy(out, 0);
      c.getAuthTag().copy(out, 12);
      body.copy(out, 28);
      tail.copy(out, 28 + body.length);
      ciphers[i] = out.toString('base64');
    }
    return { hashes, ciphers };
  }

  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}
