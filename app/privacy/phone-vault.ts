// Phones at rest: AES-256-GCM ciphertext for reading back, HMAC-SHA256 for lookup, both keyed by DATA_KEY
// (derived sub-keys so that one never doubles as the other); and free text a third party sent about a
// person (a consent's evidence) sealed under a key of its own.
import crypto from 'node:crypto';
import { deriveKey } from './derive-key';
import { Sealer } from './sealer';

export class PhoneVault {
  private readonly phones: Sealer;
  private readonly texts: Sealer;
  private readonly macKey: Buffer;

  constructor(dataKey: Buffer) {
    this.phones = new Sealer(deriveKey(dataKey, 'phone encryption'));
    this.texts = new Sealer(deriveKey(dataKey, 'text encryption'));
    this.macKey = deriveKey(dataKey, 'phone lookup');
  }

  /** Stable keyed hash of a normalised number: the only form a phone is searched by. */
  lookupHash(phone: string): string {
    return crypto.createHmac('sha256', this.macKey).update(phone).digest('hex');
  }

  encrypt(phone: string): string {
    return this.phones.seal(phone);
  }

  decrypt(sealed: string): string {
    return this.phones.open(sealed);
  }

  /** Free text about a person (a consent's evidence): sealed, never searched. */
  sealText(text: string): string {
    return this.texts.seal(text);
  }

  openText(sealed: string): string {
    return this.texts.open(sealed);
  }
}
