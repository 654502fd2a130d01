// A bounded map that forgets the least recently used entry first (Map keeps insertion order; a hit
// re-inserts). Entries may carry an expiry.
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; expiresAt: number }>();

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
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V, expiresAt: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt });
    if (this.map.size > this.max) {
      const [oldKey, old] = this.map.entries().next().value as [K, { value: V }];
      this.map.delete(oldKey);
      this.onEvict?.(oldKey, old.value);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
