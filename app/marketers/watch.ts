// Which numbers each marketer key holds (it scrubbed them or recorded a consent for them), by lookup hash
// only: the changes feed answers a key about these numbers and no others. One upsert per chunk; what this
// process already wrote today is skipped (remembered by number, in memory), so a call centre scrubbing the
// same list every morning costs one keyed hash and one write per number per day.
import type { DataSource } from 'typeorm';
import { isSqlite } from '../db/datasource';
import { toSqlTime } from '../labels/sql';
import { numberKey } from '../protection/number-key';

const DAY_MS = 86_400_000;

export class WatchList {
  private day = -1;
  /**
   * What this process wrote today, by key and number: a repeat costs neither a write nor a keyed hash.
   * A mobile is held as its first three digits → its last eight (small integers: V8 keeps them unboxed).
   */
  private seen = new Map<string, Map<number, Set<number>>>();
  private remembered = 0;

  constructor(
    private readonly db: DataSource,
    /** Bounded memory: past this many remembered pairs the set starts over (writes repeat, harmlessly). */
    private readonly maxRemembered = 2_000_000,
  ) {}

  private readonly inFlight = new Set<Promise<void>>();

  /**
   * Remembers normalised numbers in the background: a scrub answers without waiting for the write (at
   * 10,000 numbers a request it was most of the scrub's time). Only numbers this process has not written
   * for the key today are hashed and written. A write that fails is forgotten and tried again by the next
   * scrub of those numbers; the changes feed waits for this process's writes in flight (settled()).
   */
  recordLater(keyId: string, numbers: readonly string[], hashOf: (number: string) => string, now = Date.now(), onError?: (e: unknown) => void): void {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day || this.remembered > this.maxRemembered) {
      this.day = day;
      this.seen = new Map();
      this.remembered = 0;
    }
    let seen = this.seen.get(keyId);
    if (!seen) this.seen.set(keyId, (seen = new Map()));
    const fresh: number[] = [];
    const hashes: string[] = [];
    for (const n of numbers) {
      const k = numberKey(n);
      const segment = Math.floor(k / 1e8);
      const rest = k - segment * 1e8;
      let set = seen.get(segment);
      if (!set) seen.set(segment, (set = new Set()));
      if (set.has(rest)) continue;
      set.add(rest);
      fresh.push(k);
      hashes.push(hashOf(n));
    }
    this.remembered += fresh.length;
    if (fresh.length === 0) return;
    const marks = seen;
    const p = this.record(keyId, hashes, now)
      // Not written: forget them, so the next scrub of these numbers tries again.
      .catch((e) => {
        for (const k of fresh) marks.get(Math.floor(k / 1e8))?.delete(k - Math.floor(k / 1e8) * 1e8);
        onError?.(e);
      });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once every background write started before the call has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Writes (keyId, hash) pairs now, seen today or not. */
  async record(keyId: string, hashes: readonly string[], now = Date.now()): Promise<void> {
    if (hashes.length === 0) return;
    // In key order: concurrent upserts then take their row locks in one order (no deadlock between them).
    hashes = [...hashes].sort();
    const at = toSqlTime(new Date(now));
    const tail = isSqlite(this.db) ? 'ON CONFLICT(keyId, phoneHash) DO UPDATE SET seenAt = excluded.seenAt' : 'ON DUPLICATE KEY UPDATE seenAt = VALUES(seenAt)';
    const chunk = isSqlite(this.db) ? 300 : 2000;
    for (let i = 0; i < hashes.length; i += chunk) {
      const part = hashes.slice(i, i + chunk);
      const params: string[] = [];
      for (const h of part) params.push(keyId, h, at);
      await this.db.query(`INSERT INTO marketer_watch (keyId, phoneHash, seenAt) VALUES ${part.map(() => '(?,?,?)').join(',')} ${tail}`, params);
    }
  }

  /** Forgets numbers a key has not scrubbed since `cutoff`. */
  async purgeUnseenSince(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM marketer_watch WHERE seenAt < ?`, [toSqlTime(cutoff)]);
  }
}
