// What reports, appeals and the operator need from the number labels, on top of the LabelService (app/labels/service.ts):
//   · the label reports make: written with the confidence the whole evidence gives (report-policy.ts), so
//     a dismissed or damped report stops counting, instead of adding one report at a time;
//   · a history of every change made here (label_history), so a corrected label keeps what it was.
// Labels stay the label module's rows (number_label), versioned through the same sequence, so the index and the
// carrier feed see these changes like any other.
import type { DataSource, EntityManager } from 'typeorm';
import { LabelHistory } from '../../entities';
import type { LabelCategory, LabelSource } from './categories';
import { effectiveConfidence } from './confidence';
import { allocateVersions, fromSqlTime, fromSqlTimeOrNull, toSqlTime } from './sql';
import { LabelService } from './service';
import { numberKey } from '../protection/number-key';

export interface LabelView {
  number: string;
  category: LabelCategory;
  source: LabelSource;
  /** Stored confidence, as of lastSeen. */
  confidence: number;
  /** Confidence now, after time decay. */
  effective: number;
  evidenceCount: number;
  lastSeen: Date;
  expiresAt: Date | null;
  removed: boolean;
  expired: boolean;
  version: number;
}

export interface LabelPort {
  /** Every label row of a normalised number, removed and expired ones included. */
  labelsOf(number: string): Promise<LabelView[]>;
  historyOf(number: string): Promise<LabelHistory[]>;
  /** Writes or renews the label reports make. An operator's label (or removal) is left as it is. */
  upsertReportLabel(p: { number: string; category: LabelCategory; confidence: number; evidenceCount: number; expiresAt: Date; actor: string }): Promise<'set' | 'renewed' | 'kept_operator'>;
  /** An operator's label: exactly this confidence, until an operator changes it or it expires. */
  setByOperator(p: { number: string; category: LabelCategory; confidence: number; expiresAt: Date | null; actor: string; reason: string }): Promise<void>;
  /**
   * Removes live labels (of one category when given). `by: 'report'` removes only what reports made (the
   * evidence fell below the threshold) and lets reports make it again; an operator's removal is final
   * against imports and reports. Returns how many were removed.
   */
  clear(p: { number: string; category?: LabelCategory; by: 'report' | 'operator'; actor: string; reason: string }): Promise<number>;
}

type Raw = Record<string, unknown>;
const SELECT = `number, category, source, confidence, evidenceCount, firstSeen, lastSeen, expiresAt, version, tombstone`;

function view(r: Raw, now: Date): LabelView {
  const lastSeen = fromSqlTime(r.lastSeen);
  const expiresAt = fromSqlTimeOrNull(r.expiresAt);
  const source = String(r.source) as LabelSource;
  const removed = Number(r.tombstone) === 1 || r.tombstone === true;
  const expired = expiresAt !== null && expiresAt <= now;
  const confidence = Number(r.confidence);
  return {
    number: String(r.number),
    category: String(r.category) as LabelCategory,
    source,
    confidence,
    effective: removed || expired ? 0 : effectiveConfidence(confidence, lastSeen.getTime(), source, now.getTime()),
    evidenceCount: Number(r.evidenceCount),
    lastSeen,
    expiresAt,
    removed,
    expired,
    version: Number(r.version),
  };
}

export class DbLabelPort implements LabelPort {
  readonly service: LabelService;

  constructor(private readonly db: DataSource) {
    this.service = new LabelService(db);
  }

  async labelsOf(number: string, now = new Date()): Promise<LabelView[]> {
    const rows = (await this.db.query(`SELECT ${SELECT} FROM number_label WHERE numberKey = ? ORDER BY category`, [keyOf(number)])) as Raw[];
    return rows.map((r) => view(r, now));
  }

  async historyOf(number: string): Promise<LabelHistory[]> {
    return this.db.getRepository(LabelHistory).find({ where: { number }, order: { at: 'ASC', id: 'ASC' } });
  }

  async upsertReportLabel(p: { number: string; category: LabelCategory; confidence: number; evidenceCount: number; expiresAt: Date; actor: string }): Promise<'set' | 'renewed' | 'kept_operator'> {
    const key = keyOf(p.number);
    const now = new Date();
    return this.db.transaction(async (m) => {
      // The version first: its row lock orders label writers, so the read-modify-write below is safe.
      const version = await allocateVersions(m, 1);
      const [raw] = (await m.query(`SELECT ${SELECT} FROM number_label WHERE numberKey = ? AND category = ?`, [key, p.category])) as Raw[];
      const before = raw ? view(raw, now) : null;
      if (before && before.source === 'operator') return 'kept_operator';
      const live = before !== null && !before.removed && !before.expired;
      // Another source's stronger belief (an import) stays in charge; reports then only renew it.
      const reportsLead = !live || before!.source === 'report' || p.confidence >= before!.effective;
      const source: LabelSource = reportsLead ? 'report' : before!.source;
      const confidence = reportsLead ? p.confidence : before!.effective;
      const keepsForever = live && before!.expiresAt === null && !reportsLead;
      const expiresAt = keepsForever ? null : new Date(Math.max(p.expiresAt.getTime(), live && before!.expiresAt ? before!.expiresAt.getTime() : 0));
      const firstSeen = live ? fromSqlTime(raw.firstSeen) : now;
      const values = [p.number, source, confidence, Math.max(p.evidenceCount, live && !reportsLead ? before!.evidenceCount : 0), toSqlTime(firstSeen), toSqlTime(now), expiresAt ? toSqlTime(expiresAt) : null, version, toSqlTime(now)];
      if (raw) {
        await m.query(
          `UPDATE number_label SET number = ?, source = ?, confidence = ?, evidenceCount = ?, firstSeen = ?, lastSeen = ?, expiresAt = ?, version = ?, updatedAt = ?, tombstone = 0 WHERE numberKey = ? AND category = ?`,
          [...values, key, p.category],
        );
      } else {
        await m.query(
          `INSERT INTO number_label (number, source, confidence, evidenceCount, firstSeen, lastSeen, expiresAt, version, updatedAt, tombstone, numberKey, category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
          [...values, key, p.category],
        );
      }
      const change = live ? 'renewed' : 'set';
      await record(m, { number: p.number, category: p.category, change, source, confidence, before: live ? before : null, actor: p.actor, reason: `${p.evidenceCount} reporters`, version, at: now });
      return change;
    });
  }

  async setByOperator(p: { number: string; category: LabelCategory; confidence: number; expiresAt: Date | null; actor: string; reason: string }): Promise<void> {
    const before = (await this.labelsOf(p.number)).find((l) => l.category === p.category && !l.removed && !l.expired) ?? null;
    const written = await this.service.setByOperator(p.number, p.category, p.confidence, { expiresAt: p.expiresAt });
    await record(this.db.manager, {
      number: p.number,
      category: p.category,
      change: before ? 'corrected' : 'set',
      source: 'operator',
      confidence: written.confidence,
      before,
      actor: p.actor,
      reason: p.reason,
      version: written.version,
      at: new Date(),
    });
  }

  async clear(p: { number: string; category?: LabelCategory; by: 'report' | 'operator'; actor: string; reason: string }): Promise<number> {
    const now = new Date();
    const live = (await this.labelsOf(p.number, now)).filter((l) => !l.removed && (!p.category || l.category === p.category) && (p.by === 'operator' || l.source === 'report'));
    let removed = 0;
    for (const l of live) {
      removed += await this.service.clear(p.number, l.category, p.by, now);
      const after = (await this.labelsOf(p.number, now)).find((x) => x.category === l.category);
      await record(this.db.manager, { number: p.number, category: l.category, change: 'cleared', source: p.by, confidence: null, before: l, actor: p.actor, reason: p.reason, version: after?.version ?? l.version, at: now });
    }
    return removed;
  }
}

function keyOf(number: string): number {
  const k = numberKey(number);
  if (Number.isNaN(k)) throw new Error('not a normalised number');
  return k;
}

async function record(
  m: EntityManager,
  h: { number: string; category: string; change: string; source: string; confidence: number | null; before: LabelView | null; actor: string; reason: string | null; version: number; at: Date },
): Promise<void> {
  await m.insert(LabelHistory, {
    number: h.number,
    category: h.category,
    change: h.change,
    source: h.source,
    confidence: h.confidence,
    previousSource: h.before?.source ?? null,
    previousConfidence: h.before ? h.before.effective : null,
    actor: h.actor.slice(0, 64),
    reason: h.reason ? h.reason.slice(0, 255) : null,
    version: h.version,
    at: h.at,
  });
}
