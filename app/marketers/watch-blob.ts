// The sealed form of one watch-list row: a sorted set of number keys (app/protection/number-key.ts),
// delta-coded as base-128 varints (a random 10,000-number list is ~3 bytes a number), then AES-256-GCM
// under a sub-key of DATA_KEY of its own, laid out as the project's Sealer does (base64 of iv ‖ tag ‖
// ciphertext). The Sealer seals text; this payload is bytes, so the few lines of GCM are repeated here
// rather than inflating the payload through a text encoding.
import crypto from 'node:crypto';
import { deriveKey } from '../privacy/derive-key';

/** The distinct keys of `keys[0..n)` (NaN dropped), ascending. Sorts `keys` in place. */
export function sortedDistinct(keys: Float64Array, n = keys.length): Float64Array {
  const part = keys.subarray(0, n).sort();
  let w = 0;
  for (let i = 0; i < part.length; i++) {
    const k = part[i];
    if (Number.isNaN(k)) break; // NaN sorts last
    if (w === 0 || part[w - 1] !== k) part[w++] = k;
  }
  return part.slice(0, w);
}

export function encodeKeys(sorted: Float64Array): Buffer {
  // A key is below 3·10^15 < 2^52: at most 8 varint bytes, deltas fewer.
  const out = Buffer.allocUnsafe(sorted.length * 8 + 8);
  let p = 0;
  let last = 0;
  for (let i = 0; i < sorted.length; i++) {
    let d = sorted[i] - last;
    last = sorted[i];
    // Arithmetic while a delta exceeds 31 bits (bit operators would cut it), bit operators after.
    while (d >= 0x80000000) {
      out[p++] = (d % 128) | 128;
      d = Math.floor(d / 128);
    }
    while (d >= 128) {
      out[p++] = (d & 127) | 128;
      d >>>= 7;
    }
    out[p++] = d;
  }
  return out.subarray(0, p);
}

export function decodeKeys(bytes: Buffer): Float64Array {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 128) count++;
  const out = new Float64Array(count);
  let last = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    let d = 0;
    let scale = 1;
    let b: number;
    do {
      b = bytes[p++];
      d += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
    last += d;
    out[i] = last;
  }
  return out;
}

export class WatchSealer {
  private readonly key: Buffer;

  constructor(dataKey: Buffer) {
    this.key = deriveKey(dataKey, 'marketer watch');
  }

  seal(sorted: Float64Array): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(encodeKeys(sorted)), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): Float64Array {
    const raw = Buffer.from(sealed, 'base64');
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return decodeKeys(Buffer.concat([d.update(raw.subarray(28)), d.final()]));
  }
}

/** Whether the ascending `keys` hold `k`. */
export function holds(keys: Float64Array, k: number): boolean {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = keys[mid];
    if (v === k) return true;
    if (v < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
