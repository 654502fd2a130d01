// The label index's sorted store (label-index.ts): one label a position across five typed arrays, keys
// ascending, with a directory of every BLOCK-th key for the lookups.
import { packMeta, type LabelCategory, type LabelSource } from './categories';
import { toByte } from './confidence';
import { directoryOf, lowerBound } from '../protection/sorted-keys';

const EMPTY_KEYS = new Float64Array(0);

/** A live label as the index stores it: times in seconds, rows sorted by key. */
export type SortedLabelRow = { key: number; category: LabelCategory; source: LabelSource; confidence: number; lastSeenSec: number; expiresSec: number };

export class LabelArrays {
  constructor(
    readonly keys: Float64Array,
    readonly meta: Uint8Array,
    readonly conf: Uint8Array,
    readonly seenDay: Uint16Array,
    readonly expMin: Uint32Array,
    readonly size: number,
  ) {}

  static allocate(capacity: number): LabelArrays {
    return new LabelArrays(new Float64Array(capacity), new Uint8Array(capacity), new Uint8Array(capacity), new Uint16Array(capacity), new Uint32Array(capacity), 0);
  }

  /** Writes one label at index n (capacity already checked). */
  put(n: number, r: SortedLabelRow): void {
    this.keys[n] = r.key;
    this.meta[n] = packMeta(r.category, r.source);
    this.conf[n] = toByte(r.confidence);
    this.seenDay[n] = Math.floor(r.lastSeenSec / 86_400);
    this.expMin[n] = r.expiresSec ? Math.ceil(r.expiresSec / 60) : 0;
  }

  withSize(size: number): LabelArrays {
    return new LabelArrays(this.keys, this.meta, this.conf, this.seenDay, this.expMin, size);
  }

  grow(capacity: number): LabelArrays {
    const n = LabelArrays.allocate(capacity);
    n.keys.set(this.keys.subarray(0, this.size));
    n.meta.set(this.meta.subarray(0, this.size));
    n.conf.set(this.conf.subarray(0, this.size));
    n.seenDay.set(this.seenDay.subarray(0, this.size));
    n.expMin.set(this.expMin.subarray(0, this.size));
    return n.withSize(this.size);
  }

  /** Shrinks the buffers to the size used, so slack from growth is not carried for the process's life. */
  compact(): LabelArrays {
    if (this.keys.length === this.size) return this;
    return new LabelArrays(this.keys.slice(0, this.size), this.meta.slice(0, this.size), this.conf.slice(0, this.size), this.seenDay.slice(0, this.size), this.expMin.slice(0, this.size), this.size);
  }

  /**
   * Every BLOCK-th key: a directory small enough to stay in cache (1.25 MB for 10M labels), so a lookup
   * touches the big key array in one 512-byte block instead of across 24 binary-search steps.
   */
  directory: Float64Array = EMPTY_KEYS;

  withDirectory(): LabelArrays {
    this.directory = directoryOf(this.keys, this.size);
    return this;
  }

  /** First position whose key is >= key. */
  lowerBound(key: number): number {
    return lowerBound(this.directory, this.keys, this.size, key);
  }
}

