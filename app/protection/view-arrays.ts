// The subscriber view's two sorted stores (subscriber-view.ts):
//  - NumberArrays, what a decision reads: the callee's number key (number-key.ts, exact in a double) →
//    subscriber id and profile. 8 + 4 + 1 = 13 bytes a phone, plus 1/8 byte of directory. A screen or a
//    scrub finds a callee by its own number: no keyed hash on the hot path.
//  - HashIndex, what applying the change log reads: the log names a phone by its lookup-hash prefix only
//    (no number is stored there), and a phone that left has no binding left to read its number from; this
//    says which number a hash prefix stands for. 8 + 8 = 16 bytes a phone. A hash of a number never
//    changes, so an entry is never wrong; it is dropped when its number leaves the view.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { directoryOf, lowerBound } from './sorted-keys';

/** A phone's state in the view's overlay of recent changes; profile 0 = gone. */
export interface Entry {
  subscriberId: number;
  profile: number;
}

export class NumberArrays {
  directory: Float64Array = new Float64Array(0);
  constructor(
    readonly keys: Float64Array,
    readonly sids: Uint32Array,
    readonly profiles: Uint8Array,
    public size: number,
  ) {}

  static allocate(capacity: number): NumberArrays {
    return new NumberArrays(new Float64Array(capacity), new Uint32Array(capacity), new Uint8Array(capacity), 0);
  }

  push(key: number, sid: number, profile: number): void {
    const n = this.size++;
    this.keys[n] = key;
    this.sids[n] = sid;
    this.profiles[n] = profile;
  }

  /** A copy trimmed to size. */
  trimmed(): NumberArrays {
    const n = this.size;
    const a = new NumberArrays(this.keys.slice(0, n), this.sids.slice(0, n), this.profiles.slice(0, n), n);
    a.directory = directoryOf(a.keys, n);
    return a;
  }

  get bytes(): number {
    return this.keys.byteLength + this.sids.byteLength + this.profiles.byteLength + this.directory.byteLength;
  }

  /** Position of the number key, or −1. */
  find(key: number): number {
    const i = lowerBound(this.directory, this.keys, this.size, key);
    return i < this.size && this.keys[i] === key ? i : -1;
  }
}

export class HashIndex {
  directory: Float64Array = new Float64Array(0);
  constructor(
    readonly keys: Float64Array,
    readonly numbers: Float64Array,
    public size: number,
  ) {}

  static allocate(capacity: number): HashIndex {
    return new HashIndex(new Float64Array(capacity), new Float64Array(capacity), 0);
  }

  push(hashKey: number, numberKey: number): void {
    const n = this.size++;
    this.keys[n] = hashKey;
    this.numbers[n] = numberKey;
  }

  /** A copy with room for `capacity`. */
  grown(capacity: number): HashIndex {
    const a = HashIndex.allocate(capacity);
    a.keys.set(this.keys.subarray(0, this.size));
    a.numbers.set(this.numbers.subarray(0, this.size));
    a.size = this.size;
    return a;
  }

  trimmed(): HashIndex {
    const a = new HashIndex(this.keys.slice(0, this.size), this.numbers.slice(0, this.size), this.size);
    a.directory = directoryOf(a.keys, a.size);
    return a;
  }

  get bytes(): number {
    return this.keys.byteLength + this.numbers.byteLength + this.directory.byteLength;
  }

  /** The numbers held under a hash prefix (almost always none or one). */
  numbersOf(hashKey: number, into: number[]): void {
    for (let i = lowerBound(this.directory, this.keys, this.size, hashKey); i < this.size && this.keys[i] === hashKey; i++) into.push(this.numbers[i]);
  }
}

// A mainland mobile's number key is below 2^35; 2^28 phones per process is far beyond what one holds.
const KEY_LIMIT = 2 ** 35;
const INDEX_LIMIT = 2 ** 28;

/**
 * The cold load's phones (read in hash order) in number order. Each (key, position) pair is packed into
 * one unsigned 64-bit integer and sorted natively (a comparator sort of 10 million takes seconds); any
 * key outside the packing's range falls back to the comparator. Equal keys keep the last one.
 */
export function sortedByNumber(keys: Float64Array, sids: Uint32Array, profiles: Uint8Array, n: number): NumberArrays {
  let order: Uint32Array;
  let packable = n < INDEX_LIMIT;
  for (let i = 0; packable && i < n; i++) if (!(keys[i] >= 0 && keys[i] < KEY_LIMIT)) packable = false;
  if (packable) {
    const packed = new BigUint64Array(n);
    const words = new Uint32Array(packed.buffer);
    // key · 2^28 + i as (high, low) 32-bit words, little-endian: high = ⌊key / 16⌋, low = (key mod 16) · 2^28 + i.
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const high = Math.floor(k / 16);
      words[2 * i] = (k - high * 16) * INDEX_LIMIT + i;
      words[2 * i + 1] = high;
    }
    packed.sort();
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = words[2 * i] % INDEX_LIMIT;
  } else {
    order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  }
  const out = NumberArrays.allocate(n);
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (out.size > 0 && out.keys[out.size - 1] === keys[i]) out.size--;
    out.push(keys[i], sids[i], profiles[i]);
  }
  return out.trimmed();
}

/** Awaited every step of a long loop: yields to the event loop once `sliceMs` has passed. */
export function timeSlicer(sliceMs: number): () => Promise<void> | undefined {
  let work = 0;
  let sliceStart = performance.now();
  return () => {
    if (++work % 4096 !== 0 || performance.now() - sliceStart < sliceMs) return undefined;
    return yieldToLoop().then(() => {
      sliceStart = performance.now();
    });
  };
}

/** The arrays with the overlay folded in (an entry of profile 0 removes its number), and the numbers removed. */
export async function mergeNumbers(b: NumberArrays, frozen: ReadonlyMap<number, Entry>, slice: () => Promise<void> | undefined): Promise<{ merged: NumberArrays; gone: Set<number> }> {
  const deltaKeys = Float64Array.from(frozen.keys()).sort();
  const out = NumberArrays.allocate(b.size + frozen.size);
  const gone = new Set<number>();
  for (let i = 0, j = 0; i < b.size || j < deltaKeys.length; ) {
    const bk = i < b.size ? b.keys[i] : Infinity;
    const dk = j < deltaKeys.length ? deltaKeys[j] : Infinity;
    if (bk < dk) {
      out.push(bk, b.sids[i], b.profiles[i]);
      i++;
    } else {
      const e = frozen.get(dk)!;
      if (e.profile !== 0) out.push(dk, e.subscriberId, e.profile);
      else gone.add(dk);
      if (bk === dk) i++;
      j++;
    }
    const y = slice();
    if (y) await y;
  }
  return { merged: out.trimmed(), gone };
}

/** The hash index with what was learnt folded in, less the numbers that left the view. */
export async function mergeHashes(h: HashIndex, learnt: ReadonlyMap<number, number[]>, gone: ReadonlySet<number>, slice: () => Promise<void> | undefined): Promise<HashIndex> {
  const hashKeys = Float64Array.from(learnt.keys()).sort();
  const out = HashIndex.allocate(h.size + learnt.size * 2);
  for (let i = 0, j = 0; i < h.size || j < hashKeys.length; ) {
    const hk = i < h.size ? h.keys[i] : Infinity;
    const dk = j < hashKeys.length ? hashKeys[j] : Infinity;
    if (hk < dk) {
      if (gone.size === 0 || !gone.has(h.numbers[i])) out.push(hk, h.numbers[i]);
      i++;
    } else {
      const known: number[] = [];
      for (; i < h.size && h.keys[i] === dk; i++) known.push(h.numbers[i]);
      for (const n of learnt.get(dk)!) if (!known.includes(n)) known.push(n);
      for (const n of known) if (!gone.has(n)) out.push(dk, n);
      j++;
    }
    const y = slice();
    if (y) await y;
  }
  return out.trimmed();
}
