// A bounded map that forgets entries not used lately, by the CLOCK approximation of LRU: a hit only marks
// the entry (no re-insertion, so a hit costs one Map lookup); when full, the oldest entries are examined
// and those marked since they were last examined get another round instead of being evicted.
// Entries may carry an expiry.
interface Entry<V> {
  value: V;
  expiresAt: number;
  used: boolean;
}

export class Lru<K, V> {
  private readonly map = new Map<K, Entry<V>>();

  constructor(
    private readonly max: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K, nowMs: number): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= nowMs) {
      this.map.delete(key);
      this.onEvict?.(key, e.value);
      return undefined;
    }
    e.used = true;
    return e.value;
  }

  set(key: K, value: V, expiresAt: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt, used: false });
    // Each set evicts at most one entry; the used ones it passes over move to the young end, unmarked.
    while (this.map.size > this.max) {
      const [oldKey, old] = this.map.entries().next().value as [K, Entry<V>];
      this.map.delete(oldKey);
      if (old.used) {
        old.used = false;
        this.map.set(oldKey, old);
      } else {
        this.onEvict?.(oldKey, old.value);
      }
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
