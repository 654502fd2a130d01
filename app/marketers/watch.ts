// Which numbers each marketer key holds (it scrubbed them or recorded a consent for them), by lookup hash
// only: the changes feed answers a key about these numbers and no others. One upsert per chunk; what this
// process already wrote today is skipped, so a call centre scrubbing the same list every morning costs
// one write per number per day.
import type { DataSource } from 'typeorm';
import { isSqlite } from '../db/datasource';
import { toSqlTime } from '../labels/sql';

const DAY_MS = 86_400_000;

export class WatchList {
  private day = -1;
  private seen = new Set<string>();

  constructor(
    private readonly db: DataSource,
    /** Bounded memory: past this many remembered pairs the set starts over (writes repeat, harmlessly). */
    private readonly maxRemembered = 2_000_000,
  ) {}

  private readonly inFlight = new Set<Promise<void>>();

  /**
   * Remembers in the background: a scrub answers without waiting for the write (at 10,000 numbers a
   * request it was most of the scrub's time). A write that fails is forgotten and tried again by the next
   * scrub of those numbers; the changes feed waits for this process's writes in flight (settled()).
   */
  recordLater(keyId: string, hashes: readonly string[], now = Date.now(), onError?: (e: unknown) => void): void {
    const p = this.record(keyId, hashes, now).catch((e) => onError?.(e));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once every background write started before the call has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async record(keyId: string, hashes: readonly string[], now = Date.now()): Promise<void> {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day || this.seen.size > this.maxRemembered) {
      this.day = day;
      this.seen = new Set();
    }
    const fresh: string[] = [];
    for (const h of hashes) {
      const k = `${keyId}\u0000${h}`;
      if (this.seen.has(k)) continue;
      this.seen.add(k);
      fresh.push(h);
    }
    if (fresh.length === 0) return;
    const at = toSqlTime(new Date(now));
    const tail = isSqlite(this.db) ? 'ON CONFLICT(keyId, phoneHash) DO UPDATE SET seenAt = excluded.seenAt' : 'ON DUPLICATE KEY UPDATE seenAt = VALUES(seenAt)';
    const chunk = isSqlite(this.db) ? 300 : 2000;
    try {
      for (let i = 0; i < fresh.length; i += chunk) {
        const part = fresh.slice(i, i + chunk);
        const params: string[] = [];
        for (const h of part) params.push(keyId, h, at);
        await this.db.query(`INSERT INTO marketer_watch (keyId, phoneHash, seenAt) VALUES ${part.map(() => '(?,?,?)').join(',')} ${tail}`, params);
      }
    } catch (e) {
      // Not written: forget them, so the next scrub of these numbers tries again.
      for (const h of fresh) this.seen.delete(`${keyId}\u0000${h}`);
      throw e;
    }
  }

  /** Forgets numbers a key has not scrubbed since `cutoff`. */
  async purgeUnseenSince(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM marketer_watch WHERE seenAt < ?`, [toSqlTime(cutoff)]);
  }
}
