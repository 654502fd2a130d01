// AES-256-GCM for text at rest under one derived key: random 12-byte IV, 16-byte tag, base64 of
// iv ‖ tag ‖ ciphertext. One implementation for every sealed column (phones, evidence, TOTP secrets).
import crypto from 'node:crypto';

export class Sealer {
  constructor(private readonly key: Buffer) {}

  seal(text: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}
