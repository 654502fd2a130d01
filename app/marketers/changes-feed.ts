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

export class ChangesFeed {
  constructor(
    private readonly deps: { db: DataSource; vault: PhoneVault },
    private readonly parts: { refusals: RefusalSource; consents: ConsentIndex; watch?: { settled(): Promise<void> } },
    private readonly settleMs = 2000,
  ) {}

  async page(keyId: string, category: string, since: number, limit: number, now = Date.now()): Promise<ChangesPage> {
    const until = now - this.settleMs;
    if (since >= until) return { changes: [], nextSince: since, hasMore: false };
    // Scrubs remember their numbers in the background: this process's writes land before the feed reads.
    await this.parts.watch?.settled();
    const hits = await this.sources(keyId, category, since, until, limit + 1);
    const full = hits.filter((h) => h.length > limit);
    let rows = hits.flat().sort((a, b) => a.at - b.at);
    let nextSince = until;
    let hasMore = false;
    if (full.length) {
      // A source cut short may hold more rows at its last moment: take only what lies strictly before the
      // earliest such moment, or, when that is nothing, every row of that one moment.
      const cut = Math.min(...full.map((h) => h[h.length - 1].at));
      hasMore = true;
      const before = rows.filter((r) => r.at < cut);
      if (before.length) {
        rows = before;
        nextSince = cut - 1;
      } else {
        rows = (await this.sources(keyId, category, cut - 1, cut, Number.MAX_SAFE_INTEGER)).flat();
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

  private async sources(keyId: string, category: string, since: number, until: number, limit: number): Promise<Hit[][]> {
    const db = this.deps.db;
    const a = toSqlTime(new Date(since));
    const b = toSqlTime(new Date(until));
    const lim = Number.isSafeInteger(limit) && limit < 1_000_000 ? ` LIMIT ${limit}` : '';
    const q = async (sql: string, params: unknown[]): Promise<Hit[]> =>
      ((await db.query(sql + lim, params)) as Raw[]).map((r) => ({ cipher: String(r.phoneCipher), at: fromSqlTime(r.at).getTime() }));
    return Promise.all([
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
}
