// Number labels (号码标记): what imports, reports, observed behaviour and operators say about a number,
// each change under a fresh version so the in-process index and edge copies follow incrementally.
import type { DataSource, EntityManager } from 'typeorm';
import { NumberLabel } from '../../entities/NumberLabel';
import { isLabelCategory, isLabelSource, type LabelCategory, type LabelSource } from './categories';
import { clamp01, effectiveConfidence, withEvidence } from './confidence';
import { LabelBatch, labelCategoryCode } from './batch';
import { writeLabelBatch } from './batch-write';
import { allocateVersions, epochSecondsSql, fromSqlTime, fromSqlTimeOrNull, toSqlTime } from './sql';
import { numberKey } from '../protection/number-key';
import { normalizeNumber } from '../protection/numbers';
import { publicService, PublicServiceRefused } from '../protection/public-service';

/** A label as stored (confidence as of lastSeen) and as the feed publishes it. */
export interface LabelRecord {
  number: string;
  category: LabelCategory;
  source: LabelSource;
  confidence: number;
  evidenceCount: number;
  firstSeen: Date;
  lastSeen: Date;
  expiresAt: Date | null;
  version: number;
  tombstone: boolean;
}

/** What an imported file line or an operator asserts. */
export interface LabelAssertion {
  /** Any spelling; normalised here. */
  number: string;
  category: LabelCategory;
  confidence: number;
  expiresAt?: Date | null;
}

/** A live label as the index loader reads it: numbers only, no Date objects. */
export interface IndexRow {
  key: number;
  category: LabelCategory;
  source: LabelSource;
  confidence: number;
  lastSeenSec: number;
  /** 0: never */
  expiresSec: number;
}

export class LabelError extends Error {
  constructor(readonly code: 'bad_number' | 'bad_category' | 'bad_source') {
    super(code);
  }
}

const SELECT = `number, category, source, confidence, evidenceCount, firstSeen, lastSeen, expiresAt, version, tombstone`;

type RawRow = Record<string, unknown>;

function record(r: RawRow): LabelRecord {
  return {
    number: String(r.number),
    category: String(r.category) as LabelCategory,
    source: String(r.source) as LabelSource,
    confidence: Number(r.confidence),
    evidenceCount: Number(r.evidenceCount),
    firstSeen: fromSqlTime(r.firstSeen),
    lastSeen: fromSqlTime(r.lastSeen),
    expiresAt: fromSqlTimeOrNull(r.expiresAt),
    version: Number(r.version),
    tombstone: Number(r.tombstone) === 1 || r.tombstone === true,
  };
}

function normalised(raw: string): { number: string; key: number } {
  const n = normalizeNumber(raw);
  const key = n.kind === 'invalid' ? NaN : numberKey(n.value);
  if (Number.isNaN(key)) throw new LabelError('bad_number');
  return { number: n.value, key };
}

/** A number a label may be written for: never a public-service number (public-service.ts). */
function labellable(raw: string): { number: string; key: number } {
  const n = normalised(raw);
  if (publicService.has(n.number)) throw new PublicServiceRefused(n.number);
  return n;
}

function checkCategory(c: string): asserts c is LabelCategory {
  if (!isLabelCategory(c)) throw new LabelError('bad_category');
}

export class LabelService {
  constructor(private readonly db: DataSource) {}

  /** The highest version handed out so far (the feed's head). */
  async currentVersion(): Promise<number> {
    const [row] = (await this.db.query(`SELECT value FROM label_sequence WHERE id = 1`)) as RawRow[];
    return Number(row.value);
  }

  /** A number's labels that are neither removed nor expired, strongest (decayed) first. */
  async labelsOf(raw: string, now = new Date()): Promise<(LabelRecord & { effective: number })[]> {
    const { key } = normalised(raw);
    const rows = (await this.db.query(`SELECT ${SELECT} FROM number_label WHERE numberKey = ? AND tombstone = 0`, [key])) as RawRow[];
    return rows
      .map(record)
      .filter((l) => !l.expiresAt || l.expiresAt > now)
      .map((l) => ({ ...l, effective: effectiveConfidence(l.confidence, l.lastSeen.getTime(), l.source, now.getTime()) }))
      .sort((a, b) => b.effective - a.effective);
  }

  /**
   * One more independent piece of evidence (a subscriber's report, an observed behaviour): confidence
   * grows by noisy-OR from its decayed value. An operator's label is final and is left as it is.
   * Independence is the caller's business: one reporter reporting twice is one piece of evidence.
   */
  async addEvidence(
    raw: string,
    category: LabelCategory,
    source: Exclude<LabelSource, 'import' | 'operator'>,
    opts: { weight: number; at?: Date; expiresAt?: Date | null },
  ): Promise<LabelRecord> {
    checkCategory(category);
    if (!isLabelSource(source)) throw new LabelError('bad_source');
    const { number, key } = labellable(raw);
    const at = opts.at ?? new Date();
    return this.db.transaction(async (m) => {
      // The version first: its row lock serialises label writers, so the read-modify-write below is safe.
      const version = await allocateVersions(m, 1);
      const existing = await this.readOne(m, key, category);
      if (existing && existing.source === 'operator') return existing;
      const fresh = !existing || existing.tombstone || (existing.expiresAt !== null && existing.expiresAt <= at);
      const current = fresh ? 0 : effectiveConfidence(existing!.confidence, existing!.lastSeen.getTime(), existing!.source, at.getTime());
      const next: LabelRecord = {
        number,
        category,
        source,
        confidence: withEvidence(current, opts.weight),
        evidenceCount: fresh ? 1 : existing!.evidenceCount + 1,
        firstSeen: fresh ? at : existing!.firstSeen,
        lastSeen: at,
        expiresAt: opts.expiresAt === undefined ? (fresh ? null : existing!.expiresAt) : opts.expiresAt,
        version,
        tombstone: false,
      };
      await this.write(m, key, next, at, !existing);
      return next;
    });
  }

  /** An operator's word on a label: exactly this confidence, kept until an operator changes it. */
  async setByOperator(raw: string, category: LabelCategory, confidence: number, opts: { at?: Date; expiresAt?: Date | null } = {}): Promise<LabelRecord> {
    checkCategory(category);
    const { number, key } = labellable(raw);
    const at = opts.at ?? new Date();
    return this.db.transaction(async (m) => {
      const version = await allocateVersions(m, 1);
      const existing = await this.readOne(m, key, category);
      const next: LabelRecord = {
        number,
        category,
        source: 'operator',
        confidence: clamp01(confidence),
        evidenceCount: (existing && !existing.tombstone ? existing.evidenceCount : 0) + 1,
        firstSeen: existing && !existing.tombstone ? existing.firstSeen : at,
        lastSeen: at,
        expiresAt: opts.expiresAt ?? null,
        version,
        tombstone: false,
      };
      await this.write(m, key, next, at, !existing);
      return next;
    });
  }

  /**
   * Removes a number's label (one category, or all): tombstones under fresh versions, so index and edge
   * copies drop it. Removed by an operator (a corrected label, an upheld appeal), it stays removed: imports
   * and reports no longer revive it. Returns how many labels were removed.
   */
  async clear(raw: string, category?: LabelCategory, by: LabelSource = 'operator', at = new Date()): Promise<number> {
    if (category) checkCategory(category);
    const { key } = normalised(raw);
    return this.db.transaction(async (m) => {
      const rows = (
        (await m.query(`SELECT ${SELECT} FROM number_label WHERE numberKey = ? AND tombstone = 0`, [key])) as RawRow[]
      )
        .map(record)
        .filter((r) => !category || r.category === category);
      if (rows.length === 0) return 0;
      let version = await allocateVersions(m, rows.length);
      for (const r of rows) {
        await m.query(`UPDATE number_label SET tombstone = 1, confidence = 0, source = ?, version = ?, updatedAt = ? WHERE numberKey = ? AND category = ?`, [
          by,
          version++,
          toSqlTime(at),
          key,
          r.category,
        ]);
      }
      return rows.length;
    });
  }

  /**
   * Imported assertions, in one transaction under one version range (see bulkUpsertImported for how they
   * combine with what is there). Rows must be valid already; the last of duplicates wins.
   * Pass `m` to commit with something else.
   */
  async importBatch(rows: readonly LabelAssertion[], opts: { at?: Date; m?: EntityManager } = {}): Promise<number> {
    const batch = new LabelBatch(rows.length);
    for (const r of rows) {
      checkCategory(r.category);
      const { number, key } = normalised(r.number);
      // A feed naming a public-service number is not refused whole: that row alone is never written.
      if (publicService.has(number)) continue;
      batch.push(key, labelCategoryCode(r.category), clamp01(r.confidence), r.expiresAt ? r.expiresAt.getTime() : NaN);
    }
    if (batch.length === 0) return 0;
    const at = opts.at ?? new Date();
    return opts.m ? writeLabelBatch(this.db, opts.m, batch, at) : this.db.transaction((m) => writeLabelBatch(this.db, m, batch, at));
  }

  /**
   * The feed: every change (new, changed, removed) after `version`, oldest first, at most `limit`.
   * `next` is the cursor for the following page; `more` says whether to ask again right away.
   */
  async changesSince(version: number, limit: number): Promise<{ changes: LabelRecord[]; next: number; more: boolean }> {
    const lim = Math.max(1, Math.min(Math.floor(limit), 50_000));
    const rows = (await this.db.query(`SELECT ${SELECT} FROM number_label WHERE version > ? ORDER BY version LIMIT ${lim}`, [version])) as RawRow[];
    const changes = rows.map(record);
    return { changes, next: changes.length ? changes[changes.length - 1].version : version, more: changes.length === lim };
  }

  /**
   * Live labels with numberKey above `afterKey`, in key order, whole numbers only (a page never splits one
   * number's labels). For the index's initial build.
   */
  async scanLive(afterKey: number, limit: number): Promise<{ rows: IndexRow[]; lastKey: number; done: boolean }> {
    const seen = epochSecondsSql(this.db, 'lastSeen');
    const exp = epochSecondsSql(this.db, 'expiresAt');
    const raw = (await this.db.query(
      `SELECT numberKey, category, source, confidence, ${seen} AS s, ${exp} AS e FROM number_label WHERE tombstone = 0 AND numberKey > ? ORDER BY numberKey LIMIT ${Math.floor(limit)}`,
      [afterKey],
    )) as RawRow[];
    let rows: IndexRow[] = raw.map((r) => ({
      key: Number(r.numberKey),
      category: r.category as LabelCategory,
      source: r.source as LabelSource,
      confidence: Number(r.confidence),
      lastSeenSec: Number(r.s),
      expiresSec: r.e === null ? 0 : Number(r.e),
    }));
    const done = raw.length < limit;
    if (!done) {
      const last = rows[rows.length - 1].key;
      const trimmed = rows.filter((r) => r.key !== last);
      // A page that is all one number cannot happen (13 categories at most), but never loop on it.
      if (trimmed.length > 0) rows = trimmed;
    }
    return { rows, lastKey: rows.length ? rows[rows.length - 1].key : afterKey, done };
  }

  private async readOne(m: EntityManager, key: number, category: string): Promise<LabelRecord | null> {
    const rows = (await m.query(`SELECT ${SELECT} FROM number_label WHERE numberKey = ? AND category = ?`, [key, category])) as RawRow[];
    return rows.length ? record(rows[0]) : null;
  }

  private async write(m: EntityManager, key: number, l: LabelRecord, at: Date, insert: boolean): Promise<void> {
    const values = [l.number, l.source, l.confidence, l.evidenceCount, toSqlTime(l.firstSeen), toSqlTime(l.lastSeen), l.expiresAt ? toSqlTime(l.expiresAt) : null, l.version, toSqlTime(at)];
    if (insert) {
      await m.query(
        `INSERT INTO number_label (number, source, confidence, evidenceCount, firstSeen, lastSeen, expiresAt, version, updatedAt, tombstone, numberKey, category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
        [...values, key, l.category],
      );
    } else {
      await m.query(
        `UPDATE number_label SET number = ?, source = ?, confidence = ?, evidenceCount = ?, firstSeen = ?, lastSeen = ?, expiresAt = ?, version = ?, updatedAt = ?, tombstone = 0 WHERE numberKey = ? AND category = ?`,
        [...values, key, l.category],
      );
    }
  }
}

export { NumberLabel };
