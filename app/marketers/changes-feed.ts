// GET /marketer/v1/changes: for a call centre that caches its scrubs, the numbers it holds (scrubbed, or
// consented) whose answer may have changed since a version, with the answer as it stands now, paged.
// A version is a moment (ms since the epoch, UTC) in the database's records: a subscriber's settings
// change (enrolment, pause, a category), a consent recorded or revoked, a consent expiring. Calling hours
// are left out (the same for every number: the caller applies them). The feed stops `settleMs` short of
// now, so a write still committing is not skipped by a reader that has already moved past its time.
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { fromSqlTime, toSqlTime } from '../labels/sql';
import type { ConsentIndex } from './consent-index';
import type { RefusalSource } from './refusals';
import { answerFor, type ScrubReason } from './scrub-service';
import type { Held } from './watch';
import { numberKey } from '../protection/number-key';

export interface Change {
  number: string;
  callable: boolean;
  reason: ScrubReason;
  version: number;
}

export interface ChangesPage {
  changes: Change[];
  nextSince: number;
  hasMore: boolean;
}

type Raw = Record<string, unknown>;
interface Hit {
  cipher: string;
  at: number;
}
/** One source's rows in time order; `cutAt` set when it stopped short: rows at that moment may be missing. */
interface Part {
  hits: Hit[];
  cutAt?: number;
}

export interface ScanOptions {
  /** Settings rows read per query while the feed looks for a key's numbers among every subscriber's changes. */
  batch: number;
  /** Settings rows one page reads at most; past it the page ends there (hasMore) and the next goes on. */
  budget: number;
}
const SCAN: ScanOptions = { batch: 2000, budget: 20_000 };

export class ChangesFeed {
  constructor(
    private readonly deps: { db: DataSource; vault: PhoneVault },
    private readonly parts: { refusals: RefusalSource; consents: ConsentIndex; watch: { settled(): Promise<void>; held(keyId: string): Promise<Held> } },
    private readonly settleMs = 2000,
    private readonly scan: ScanOptions = SCAN,
  ) {}

  async page(keyId: string, category: string, since: number, limit: number, now = Date.now()): Promise<ChangesPage> {
    const until = now - this.settleMs;
    if (since >= until) return { changes: [], nextSince: since, hasMore: false };
    // Scrubs remember their numbers in the background: this process's writes land before the feed reads.
    await this.parts.watch.settled();
    const held = await this.parts.watch.held(keyId);
    const parts = await this.sources(keyId, held, category, since, until, limit + 1);
    const cuts = parts.filter((p) => p.cutAt !== undefined).map((p) => p.cutAt!);
    let rows = parts.flatMap((p) => p.hits).sort((a, b) => a.at - b.at);
    let nextSince = until;
    let hasMore = false;
    if (cuts.length) {
      // A source cut short may hold more rows at its last moment: take only what lies strictly before the
      // earliest such moment, or, when that is nothing, every row of that one moment.
      const cut = Math.min(...cuts);
      hasMore = true;
      const before = rows.filter((r) => r.at < cut);
      if (before.length) {
        rows = before;
        nextSince = cut - 1;
      } else {
        rows = (await this.sources(keyId, held, category, cut - 1, cut, Number.MAX_SAFE_INTEGER)).flatMap((p) => p.hits);
        nextSince = cut;
      }
    }
    // One entry per number, at its latest change in this page.
    const latest = new Map<string, number>();
    for (const r of rows) latest.set(this.deps.vault.decrypt(r.cipher), r.at);
    const numbers = [...latest.keys()];
    const refusals = await this.parts.refusals.lookup(numbers, (n) => this.deps.vault.lookupHash(n));
    const changes = numbers
      .map((number) => {
        const a = answerFor(this.parts.consents, keyId, number, category, refusals.get(number), now);
        return { number, callable: a.callable, reason: a.reason, version: latest.get(number)! };
      })
      .sort((a, b) => a.version - b.version);
    return { changes, nextSince, hasMore };
  }

  private async sources(keyId: string, held: Held, category: string, since: number, until: number, limit: number): Promise<Part[]> {
    const db = this.deps.db;
    const a = toSqlTime(new Date(since));
    const b = toSqlTime(new Date(until));
    const bounded = Number.isSafeInteger(limit) && limit < 1_000_000;
    const lim = bounded ? ` LIMIT ${limit}` : '';
    const q = async (sql: string, params: unknown[]): Promise<Part> => {
      const hits = ((await db.query(sql + lim, params)) as Raw[]).map((r) => ({ cipher: String(r.phoneCipher), at: fromSqlTime(r.at).getTime() }));
      return { hits, cutAt: bounded && hits.length >= limit ? hits[hits.length - 1].at : undefined };
    };
    return Promise.all([
      this.watchedSettings(held, since, until, bounded ? limit : Infinity),
      // The per-number rows of the table marketer_watch_list replaced, until the retention has aged them out.
      q(
        `SELECT b.phoneCipher, s.updatedAt AS at FROM marketer_watch w JOIN phone_binding b ON b.phoneHash = w.phoneHash
           JOIN protection_settings s ON s.subscriberId = b.subscriberId
          WHERE w.keyId = ? AND s.updatedAt > ? AND s.updatedAt <= ? ORDER BY s.updatedAt`,
        [keyId, a, b],
      ),
      q(`SELECT phoneCipher, changedAt AS at FROM marketer_consent WHERE keyId = ? AND category = ? AND changedAt > ? AND changedAt <= ? ORDER BY changedAt`, [keyId, category, a, b]),
      q(
        `SELECT phoneCipher, expiresAt AS at FROM marketer_consent WHERE keyId = ? AND category = ? AND revokedAt IS NULL AND expiresAt > ? AND expiresAt <= ? ORDER BY expiresAt`,
        [keyId, category, a, b],
      ),
    ]);
  }

  /**
   * Settings changes in (since, until] of the numbers the key holds, in time order: every subscriber's
   * changes read in (updatedAt, subscriberId) order and kept when the key's sets hold the number. Stops at
   * `limit` hits, or after `scan.budget` rows when `limit` is finite (a first poll from 0 walks every
   * subscriber: it pages instead of reading them all at once).
   */
  private async watchedSettings(held: Held, since: number, until: number, limit: number): Promise<Part> {
    const hits: Hit[] = [];
    if (held.size === 0) return { hits };
    const vault = this.deps.vault;
    const b = toSqlTime(new Date(until));
    let at = toSqlTime(new Date(since));
    // No subscriber id is this large: the first query reads only rows strictly after `since`.
    let sid = Number.MAX_SAFE_INTEGER;
    let scanned = 0;
    for (;;) {
      // Rows after (at, sid) in (updatedAt, subscriberId) order: keyset paging, ties at one moment included.
      const rows = (await this.deps.db.query(
        `SELECT s.subscriberId, s.updatedAt AS at, b.phoneCipher FROM protection_settings s JOIN phone_binding b ON b.subscriberId = s.subscriberId
          WHERE s.updatedAt <= ? AND (s.updatedAt > ? OR (s.updatedAt = ? AND s.subscriberId > ?)) ORDER BY s.updatedAt, s.subscriberId LIMIT ${this.scan.batch}`,
        [b, at, at, sid],
      )) as Raw[];
      for (const r of rows) {
        const cipher = String(r.phoneCipher);
        if (!held.has(numberKey(vault.decrypt(cipher)))) continue;
        hits.push({ cipher, at: fromSqlTime(r.at).getTime() });
        if (hits.length >= limit) return { hits, cutAt: hits[hits.length - 1].at };
      }
      scanned += rows.length;
      if (rows.length < this.scan.batch) return { hits };
      const last = rows[rows.length - 1];
      if (Number.isFinite(limit) && scanned >= this.scan.budget) return { hits, cutAt: fromSqlTime(last.at).getTime() };
      at = toSqlTime(fromSqlTime(last.at));
      sid = Number(last.subscriberId);
    }
  }
}
