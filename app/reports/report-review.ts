// The operator's side of reports: which numbers are being reported (flagged bursts first), which forwarded
// complaints are due, and the decision on a number — confirm (an operator's label) or dismiss (the reports
// stop counting and the label they made is removed). Every decision is audited and handles the number's
// open complaints.
import type { DataSource } from 'typeorm';
import { In, IsNull, MoreThanOrEqual } from 'typeorm';
import { Report } from '../../entities';
import { audit } from '../audit/audit';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import { openNumber } from '../privacy/sealed-numbers';
import { normalizeNumber } from '../protection/numbers';
import type { CategoryCode } from '../protection/preferences';
import { deadlineState, type DeadlineState } from './complaint-deadlines';
import type { LabelPort } from '../labels/evidence';
import { evidenceSince } from './report-policy';
import type { ReportService } from './report-service';

export interface ReportedNumber {
  number: string;
  reports: number;
  reporters: number;
  categories: string[];
  burst: boolean;
  lastAt: Date;
  /** Reports not yet looked at by an operator. */
  unreviewed: number;
}

export interface DueComplaint {
  id: number;
  number: string;
  category: string;
  externalId: string | null;
  keyId: string | null;
  receivedAt: Date;
  dueAt: Date;
  handledAt: Date | null;
  state: DeadlineState;
}

export class ReviewRefused extends Error {
  constructor(readonly code: 'bad_number' | 'nothing_reported' | 'not_found' | 'bad_category') {
    super(code);
  }
}

export class ReportReview {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'vault'>,
    private readonly labels: LabelPort,
    private readonly reports: ReportService,
  ) {}

  private get db(): DataSource {
    return this.deps.db;
  }

  /** Numbers reported within the evidence window: flagged bursts first, then the most reported. */
  async numbers(opts: { flaggedOnly?: boolean; unreviewedOnly?: boolean; limit?: number; now?: Date } = {}): Promise<ReportedNumber[]> {
    const since = evidenceSince(opts.now ?? new Date());
    const rows = await this.db.getRepository(Report).find({ where: { createdAt: MoreThanOrEqual(since) }, order: { id: 'ASC' } });
    const byNumber = new Map<string, ReportedNumber & { keys: Set<string>; cats: Set<string> }>();
    for (const r of rows) {
      if (r.createdAt < since || r.status === 'dismissed') continue;
      // Grouped by the lookup hash; the number is opened once per group, for the operator to read.
      const e = byNumber.get(r.number) ?? { number: openNumber(this.deps.vault, r), reports: 0, reporters: 0, categories: [], burst: false, lastAt: r.createdAt, unreviewed: 0, keys: new Set<string>(), cats: new Set<string>() };
      e.reports++;
      e.keys.add(r.reporterKey);
      e.cats.add(r.category);
      if (r.flags.split(',').includes('burst')) e.burst = true;
      if (r.createdAt > e.lastAt) e.lastAt = r.createdAt;
      if (!r.reviewedAt) e.unreviewed++;
      byNumber.set(r.number, e);
    }
    let out = [...byNumber.values()].map(({ keys, cats, ...e }) => ({ ...e, reporters: keys.size, categories: [...cats].sort() }));
    if (opts.flaggedOnly) out = out.filter((e) => e.burst);
    if (opts.unreviewedOnly) out = out.filter((e) => e.unreviewed > 0);
    out.sort((a, b) => Number(b.burst) - Number(a.burst) || b.reporters - a.reporters || b.lastAt.getTime() - a.lastAt.getTime());
    return out.slice(0, opts.limit ?? 50);
  }

  /** Complaints forwarded from 12321 with their deadlines, the most urgent first. */
  async dueComplaints(opts: { includeHandled?: boolean; now?: Date } = {}): Promise<DueComplaint[]> {
    const now = opts.now ?? new Date();
    const rows = await this.db.getRepository(Report).find({
      where: opts.includeHandled ? { forwarded12321: true } : { forwarded12321: true, handledAt: IsNull() },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    return rows
      .filter((r) => r.dueAt)
      .map((r) => ({ id: r.id, number: openNumber(this.deps.vault, r), category: r.category, externalId: r.externalId, keyId: r.keyId, receivedAt: r.createdAt, dueAt: r.dueAt!, handledAt: r.handledAt, state: deadlineState(r.dueAt!, r.handledAt, now) }));
  }

  async handleComplaint(id: number, operator: string): Promise<void> {
    const row = await this.db.getRepository(Report).findOneBy({ id });
    if (!row || !row.forwarded12321) throw new ReviewRefused('not_found');
    await this.db.transaction(async (m) => {
      await m.update(Report, { id, handledAt: IsNull() }, { handledAt: new Date(), reviewedAt: new Date(), reviewedBy: operator.slice(0, 64) });
      await audit(m, null, { actor: 'operator', channel: 'cli' }, 'complaint_handled', { report: id, number: maskPhone(openNumber(this.deps.vault, row)), operator });
    });
  }

  /**
   * confirm: an operator's label for the number (the strongest reported category unless told), kept until
   * an operator changes it. dismiss: the reports stop counting and the label they made is removed.
   */
  async review(
    rawNumber: string,
    decision: 'confirm' | 'dismiss',
    p: { operator: string; reason: string; category?: CategoryCode; confidence?: number },
  ): Promise<{ number: string; reports: number; labelsCleared: number; category?: string }> {
    const n = normalizeNumber(rawNumber);
    if (n.kind === 'invalid') throw new ReviewRefused('bad_number');
    const number = n.value;
    const open = await this.db.getRepository(Report).find({ where: { number: this.deps.vault.lookupHash(number), status: In(['counted', 'damped', 'duplicate']) } });
    if (open.length === 0) throw new ReviewRefused('nothing_reported');
    const now = new Date();
    const by = p.operator.slice(0, 64);
    let category: string | undefined;
    if (decision === 'confirm') {
      const weights = new Map<string, number>();
      for (const r of open) weights.set(r.category, (weights.get(r.category) ?? 0) + r.weight + 1);
      category = p.category ?? [...weights.entries()].sort((a, b) => b[1] - a[1])[0][0];
    }
    await this.db.transaction(async (m) => {
      const ids = open.map((r) => r.id);
      if (decision === 'dismiss') await m.update(Report, { id: In(ids) }, { status: 'dismissed', reviewedAt: now, reviewedBy: by });
      else await m.update(Report, { id: In(ids) }, { reviewedAt: now, reviewedBy: by });
      await m.update(Report, { id: In(ids), forwarded12321: true, handledAt: IsNull() }, { handledAt: now });
      await audit(m, null, { actor: 'operator', channel: 'cli' }, `reports_${decision}ed`, { number: maskPhone(number), reports: ids.length, operator: p.operator, reason: p.reason, category });
    });
    let labelsCleared = 0;
    if (decision === 'dismiss') {
      const before = (await this.labels.labelsOf(number)).filter((l) => l.source === 'report' && !l.removed).length;
      await this.reports.relabel(number, now);
      labelsCleared = before - (await this.labels.labelsOf(number)).filter((l) => l.source === 'report' && !l.removed).length;
    } else {
      await this.labels.setByOperator({ number, category: category as CategoryCode, confidence: p.confidence ?? 0.9, expiresAt: null, actor: `operator:${p.operator}`, reason: p.reason });
    }
    return { number, reports: open.length, labelsCleared, category };
  }
}
