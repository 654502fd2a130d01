// One DATA_KEY, many purposes: each gets its own HKDF sub-key, so no key ever doubles as another.
import crypto from 'node:crypto';

export function deriveKey(dataKey: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', dataKey, Buffer.alloc(0), `fsr ${purpose}`, 32));
}
