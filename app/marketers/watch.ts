// Which numbers each marketer key holds (it scrubbed them or recorded a consent for them): the changes
// feed answers a key about these numbers and no others. One row per request in marketer_watch_list, the
// request's distinct numbers as one sealed sorted set of number keys (watch-blob.ts): a 10,000-number
// scrub costs one insert and no keyed hash. The feed, in any process, reads a key's sets back and keeps
// them in memory by row id (rows are only ever added or purged, never changed), so a scrub recorded by
// another process is seen at its next page.
import type { DataSource } from 'typeorm';
import { toSqlTime } from '../labels/sql';
import { numberKey } from '../protection/number-key';
import { holds, sortedDistinct, type WatchSealer } from './watch-blob';

type Raw = Record<string, unknown>;

/** The numbers a key holds now, as the feed tests them. */
export interface Held {
  readonly size: number;
  has(key: number): boolean;
}

class KeySets implements Held {
  readonly sets = new Map<number, Float64Array>();
  private union: Float64Array | null = null;

  get size(): number {
    return this.all().length;
  }

  has(key: number): boolean {
    return holds(this.all(), key);
  }

  changed(): void {
    this.union = null;
  }

  /** Every set merged once per change of the key's rows: a lookup is then one binary search. */
  private all(): Float64Array {
    if (this.union) return this.union;
    let n = 0;
    for (const s of this.sets.values()) n += s.length;
    const merged = new Float64Array(n);
    let p = 0;
    for (const s of this.sets.values()) {
      merged.set(s, p);
      p += s.length;
    }
    return (this.union = this.sets.size === 1 ? merged : sortedDistinct(merged));
  }
}

export class WatchList {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cache = new Map<string, KeySets>();

  constructor(
    private readonly db: DataSource,
    private readonly sealer: WatchSealer,
  ) {}

  /**
   * Remembers a request's distinct number keys (ascending) in the background: a scrub answers without
   * waiting for the write. A write that fails is logged and not retried (the next scrub of those numbers
   * writes them again); the changes feed waits for this process's writes in flight (settled()).
   */
  recordLater(keyId: string, keys: Float64Array, now = Date.now(), onError?: (e: unknown) => void): void {
    if (keys.length === 0) return;
    const p = this.write(keyId, keys, now).catch((e) => onError?.(e));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once every background write started before the call has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Writes normalised numbers now, as one row. */
  async record(keyId: string, numbers: readonly string[], now = Date.now()): Promise<void> {
    const keys = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) keys[i] = numberKey(numbers[i]);
    await this.write(keyId, sortedDistinct(keys), now);
  }

  private async write(keyId: string, keys: Float64Array, now: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(`INSERT INTO marketer_watch_list (keyId, size, numbers, seenAt) VALUES (?, ?, ?, ?)`, [keyId, keys.length, this.sealer.seal(keys), toSqlTime(new Date(now))]);
  }

  /** The numbers `keyId` holds, as the database has them now (this process's cache brought up to date). */
  async held(keyId: string): Promise<Held> {
    const ids = ((await this.db.query(`SELECT id FROM marketer_watch_list WHERE keyId = ?`, [keyId])) as Raw[]).map((r) => Number(r.id));
    let sets = this.cache.get(keyId);
    if (!sets) this.cache.set(keyId, (sets = new KeySets()));
    const present = new Set(ids);
    for (const id of sets.sets.keys()) {
      if (!present.has(id)) {
        sets.sets.delete(id);
        sets.changed();
      }
    }
    const missing = ids.filter((id) => !sets.sets.has(id));
    for (let i = 0; i < missing.length; i += 200) {
      const part = missing.slice(i, i + 200);
      const rows = (await this.db.query(`SELECT id, numbers FROM marketer_watch_list WHERE id IN (${part.map(() => '?').join(',')})`, part)) as Raw[];
      for (const r of rows) sets.sets.set(Number(r.id), this.sealer.open(String(r.numbers)));
      sets.changed();
    }
    return sets;
  }

  /** Forgets the requests older than `cutoff`: a number not scrubbed again since leaves the key's feed. */
  async purgeUnseenSince(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM marketer_watch_list WHERE seenAt < ?`, [toSqlTime(cutoff)]);
    // Rows of the per-number table this one replaced, until the last has aged out.
    await this.db.query(`DELETE FROM marketer_watch WHERE seenAt < ?`, [toSqlTime(cutoff)]);
  }
}
