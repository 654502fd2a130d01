// Phones at rest: AES-256-GCM ciphertext for reading back, HMAC-SHA256 for lookup, both keyed by DATA_KEY
// (derived sub-keys so that one never doubles as the other); and free text a third party sent about a
// person (a consent's evidence) sealed under a key of its own.
import crypto from 'node:crypto';
import { deriveKey } from './derive-key';
import { Sealer } from './sealer';

export class PhoneVault {
  private readonly phones: Sealer;
  private readonly texts: Sealer | null;
  private readonly macKey: Buffer;

  /** The phone sub-keys, kept for a sealing worker thread (subKeys). */
  private readonly encKey: Buffer;

  /** From DATA_KEY; or, in a sealing worker thread, from the phone sub-keys alone (no text sealing there). */
  constructor(dataKey: Buffer | { encKey: Buffer; macKey: Buffer }) {
    const derived = Buffer.isBuffer(dataKey) ? null : dataKey;
    this.encKey = derived ? derived.encKey : deriveKey(dataKey as Buffer, 'phone encryption');
    this.macKey = derived ? derived.macKey : deriveKey(dataKey as Buffer, 'phone lookup');
    this.phones = new Sealer(this.encKey);
    this.texts = derived ? null : new Sealer(deriveKey(dataKey as Buffer, 'text encryption'));
  }

  /** The phone sub-keys, for a sealing worker thread of this process (seal-pool.ts) and nothing else. */
  subKeys(): { encKey: Buffer; macKey: Buffer } {
    return { encKey: Buffer.from(this.encKey), macKey: Buffer.from(this.macKey) };
  }

  /** Stable keyed hash of a normalised number: the only form a phone is searched by. */
  lookupHash(phone: string): string {
    return crypto.createHmac('sha256', this.macKey).update(phone).digest('hex');
  }

  /**
   * lookupHash of many numbers as raw bytes, 32 a number in their order (lookupHash is their hex). The same
   * HMAC-SHA256 (RFC 2104) spelt out over one-shot hashes, a third cheaper than an Hmac object a number:
   * SHA-256((key ⊕ opad) ‖ SHA-256((key ⊕ ipad) ‖ number)), the key shorter than SHA-256's 64-byte block.
   */
  lookupHashBytes(phones: readonly string[]): Buffer {
    const out = Buffer.from(new ArrayBuffer(phones.length * 32));
    const inner = Buffer.alloc(64 + 64);
    const outer = Buffer.alloc(64 + 32);
    for (let i = 0; i < 64; i++) {
      inner[i] = (this.macKey[i] ?? 0) ^ 0x36;
      outer[i] = (this.macKey[i] ?? 0) ^ 0x5c;
    }
    const shortKey = this.macKey.length <= 64;
    phones.forEach((p, i) => {
      // A text longer than the buffer's room (never a phone) takes the general path.
      if (!shortKey || Buffer.byteLength(p) > 64) crypto.createHmac('sha256', this.macKey).update(p).digest().copy(out, i * 32);
      else {
        const n = inner.write(p, 64, 'utf8');
        (crypto.hash('sha256', inner.subarray(0, 64 + n), 'buffer') as Buffer).copy(outer, 64);
        (crypto.hash('sha256', outer, 'buffer') as Buffer).copy(out, i * 32);
      }
    });
    return out;
  }

  encrypt(phone: string): string {
    return this.phones.seal(phone);
  }

  /**
   * Lookup hash and ciphertext of many numbers at once, for imports: what lookupHash and encrypt give one
   * by one (same forms), a third cheaper, the nonces drawn from the system's CSPRNG in one call.
   */
  sealMany(phones: readonly string[]): { hashes: string[]; ciphers: string[] } {
    return { hashes: phones.map((p) => crypto.createHmac('sha256', this.macKey).update(p).digest('hex')), ciphers: this.phones.sealMany(phones) };
  }

  /** Ciphertexts alone of many numbers (what encrypt gives one by one), for an import that hashed them before. */
  encryptMany(phones: readonly string[]): string[] {
    return this.phones.sealMany(phones);
  }

  decrypt(sealed: string): string {
    return this.phones.open(sealed);
  }

  /** Free text about a person (a consent's evidence): sealed, never searched. */
  sealText(text: string): string {
    if (!this.texts) throw new Error('this vault seals phones only');
    return this.texts.seal(text);
  }

  openText(sealed: string): string {
    if (!this.texts) throw new Error('this vault seals phones only');
    return this.texts.open(sealed);
  }
}
