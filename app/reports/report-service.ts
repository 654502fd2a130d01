// Reports (举报) and call labels (号码标记) from subscribers, and complaints from the network's feed, as
// evidence for a number's labels. The weighing rules are in report-policy.ts; this file applies them to
// the database: one vote per reporter and number, per-reporter rate limits, burst damping, and the label
// rewritten from the evidence after each counted report.
import { publicService } from '../protection/public-service';
import crypto from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { In, MoreThanOrEqual } from 'typeorm';
import { Interception, PhoneBinding, Report, Subscriber } from '../../entities';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import { openNumber, sealNumber } from '../privacy/sealed-numbers';
import { normalizeNumber } from '../protection/numbers';
import type { Store } from '../store';
import { isCategoryCode } from './categories';
import type { LabelPort } from '../labels/evidence';
import { reportsReceived } from './metrics';
import { reporterWithinLimits } from './rate-limits';
import {
  BURST,
  evidenceSince,
  isLowTrust,
  labelExpiry,
  reporterTrust,
  scoreReports,
  toMilli,
  type CategoryScore,
  type ReporterFacts,
} from './report-policy';

export type ReportChannel = 'chat' | 'mark' | 'h5' | 'carrier' | 'cli';

export type ReportRefusal =
  | 'bad_number' // not a number
  | 'not_reportable' // short numbers (10086…): a carrier's own, never a marketer's
  | 'public_service' // emergency and public-service numbers (110, 96110, 12345…): never labelled
  | 'bad_category'
  | 'own_number' // the reporter's own bound phone
  | 'duplicate' // this reporter already reported this number
  | 'rate_limited'
  | 'not_found'; // no such interception of this subscriber (marking a call from the history)

export interface SubmitResult {
  ok: true;
  reportId: number;
  /** The normal form the report was filed under. */
  number: string;
  status: 'counted' | 'damped' | 'duplicate';
  /** The number's strongest report label after this report, when it has one. */
  label: CategoryScore | null;
  /** A complaint id the feed delivered before: nothing was stored. */
  replay: boolean;
}

export type Reporter = { kind: 'subscriber'; subscriberId: number } | { kind: 'complaint'; keyId: string; complainant?: string };

export interface SubmitInput {
  reporter: Reporter;
  number: string;
  category: string;
  channel: ReportChannel;
  note?: string | null;
  /** The carrier feed's complaint: its id (idempotency), and the 12321 forwarding deadline. */
  complaint?: { externalId: string; forwarded12321: boolean; dueAt: Date | null; at: Date };
}

const OPEN = ['counted', 'damped'];
const LOW_TRUST_FLAGS = ['new_reporter', 'unverified', 'anonymous'];

export class ReportRefused extends Error {
  constructor(readonly code: ReportRefusal) {
    super(code);
  }
}

export class ReportService {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'store' | 'vault' | 'log'>,
    private readonly labels: LabelPort,
  ) {}

  private get db(): DataSource {
    return this.deps.db;
  }

  /** Files a report. Throws ReportRefused for what the reporter should be told; feed duplicates come back as status 'duplicate'. */
  async submit(input: SubmitInput, now = new Date()): Promise<SubmitResult> {
    try {
      const r = await this.submitInner(input, now);
      reportsReceived.inc({ channel: input.channel, result: r.status });
      return r;
    } catch (err) {
      if (err instanceof ReportRefused) reportsReceived.inc({ channel: input.channel, result: err.code === 'rate_limited' || err.code === 'duplicate' ? err.code : 'refused' });
      throw err;
    }
  }

  private async submitInner(input: SubmitInput, now: Date): Promise<SubmitResult> {
    const n = normalizeNumber(input.number);
    if (n.kind === 'invalid') throw new ReportRefused('bad_number');
    if (publicService.isPublicService(n)) throw new ReportRefused('public_service');
    if (n.kind === 'short') throw new ReportRefused('not_reportable');
    if (!isCategoryCode(input.category)) throw new ReportRefused('bad_category');
    const category = input.category;
    const number = n.value;

    const { reporterKey, subscriberId, facts } = await this.identify(input.reporter, number);
    if (input.reporter.kind === 'subscriber' && !(await reporterWithinLimits(this.deps.store, reporterKey, now.getTime()))) throw new ReportRefused('rate_limited');

    const complaint = input.complaint;
    if (complaint) {
      const existing = await this.db.getRepository(Report).findOneBy({ keyId: (input.reporter as { keyId: string }).keyId, externalId: complaint.externalId });
      if (existing) return { ok: true, reportId: existing.id, number: openNumber(this.deps.vault, existing), status: 'duplicate', label: null, replay: true };
    }

    // Under the number's lock: the duplicate and burst checks see every earlier report of the number, and
    // the label is rewritten from evidence no concurrent report is still adding to.
    const sealed = sealNumber(this.deps.vault, number);
    const outcome = await withLock(this.deps.store, `report:lock:${sealed.number}`, async () => {
      const stored = await this.db.transaction(async (m) => {
        const dup = await m.findOne(Report, { where: { reporterKey, number: sealed.number, status: In(OPEN), createdAt: MoreThanOrEqual(evidenceSince(now)) } });
        // A complaint is always kept (it has a deadline), but a reporter's second vote weighs nothing.
        if (dup && !complaint) throw new ReportRefused('duplicate');
        const { trust, flags } = reporterTrust(facts, now);
        let weight = trust;
        let status: 'counted' | 'damped' | 'duplicate' = dup ? 'duplicate' : 'counted';
        if (!dup && isLowTrust(trust) && (await this.burst(m, number, now))) {
          weight = trust * BURST.damping;
          status = 'damped';
          flags.push('burst');
        }
        const row = await m.save(
          Report,
          Object.assign(new Report(), {
            ...sealed,
            category,
            channel: input.channel,
            reporterKey,
            subscriberId,
            weight: dup ? 0 : toMilli(weight),
            status,
            flags: flags.join(','),
            keyId: complaint ? (input.reporter as { keyId: string }).keyId : null,
            externalId: complaint?.externalId ?? null,
            forwarded12321: complaint?.forwarded12321 ?? false,
            dueAt: complaint?.dueAt ?? null,
            handledAt: null,
            note: input.note ? input.note.slice(0, 255) : null,
            createdAt: complaint?.at && complaint.at < now ? complaint.at : now,
            reviewedAt: null,
            reviewedBy: null,
          }),
        );
        return { id: row.id, status, replay: false };
      }).catch(async (err) => {
        // Two deliveries of one complaint at once (another process): the unique (keyId, externalId) index let one in.
        if (complaint) {
          const existing = await this.db.getRepository(Report).findOneBy({ keyId: (input.reporter as { keyId: string }).keyId, externalId: complaint.externalId });
          if (existing) return { id: existing.id, status: 'duplicate' as const, replay: true };
        }
        throw err;
      });
      const label = stored.status === 'duplicate' ? null : await this.relabel(number, now);
      return { ...stored, label };
    });
    if (outcome.replay) return { ok: true, reportId: outcome.id, number, status: 'duplicate', label: null, replay: true };

    const label = outcome.label;
    this.deps.log.info({ report: outcome.id, number: maskPhone(number), category, channel: input.channel, status: outcome.status, labelled: label?.labelled ?? false }, 'report filed');
    return { ok: true, reportId: outcome.id, number, status: outcome.status, label, replay: false };
  }

  /**
   * Whether this low-trust report completes a burst on the number; if so, the earlier low-trust votes of
   * the burst are damped too (a coordinated campaign gets a tenth of its weight, and an operator's look).
   */
  private async burst(m: EntityManager, number: string, now: Date): Promise<boolean> {
    const recent = await m.find(Report, { where: { number: this.deps.vault.lookupHash(number), status: In(OPEN), createdAt: MoreThanOrEqual(new Date(now.getTime() - BURST.windowMs)) } });
    const low = recent.filter((r) => r.flags.split(',').some((f) => LOW_TRUST_FLAGS.includes(f)));
    if (low.length + 1 < BURST.minLowTrust) return false;
    for (const r of low) {
      if (r.status === 'damped') continue;
      await m.update(Report, { id: r.id }, { status: 'damped', weight: Math.round(r.weight * BURST.damping), flags: [...r.flags.split(',').filter(Boolean), 'burst'].join(',') });
    }
    return true;
  }

  /**
   * 号码标记 from the call history or the interception page: the subscriber picks a category for one of
   * their own interceptions; the caller's number comes from the record, never from the client.
   */
  async markInterception(subscriberId: number, interceptionId: number, category: string, channel: 'mark' | 'h5' = 'mark'): Promise<SubmitResult> {
    const i = await this.db.getRepository(Interception).findOneBy({ id: interceptionId, subscriberId });
    if (!i) {
      reportsReceived.inc({ channel, result: 'refused' });
      throw new ReportRefused('not_found');
    }
    return this.submit({ reporter: { kind: 'subscriber', subscriberId }, number: this.deps.vault.decrypt(i.callerCipher), category, channel });
  }

  /** Rewrites the number's report labels from its evidence: written or renewed above the threshold, removed below. */
  async relabel(number: string, now = new Date()): Promise<CategoryScore | null> {
    const rows = await this.db.getRepository(Report).find({ where: { number: this.deps.vault.lookupHash(number), status: In(OPEN), createdAt: MoreThanOrEqual(evidenceSince(now)) } });
    const scores = scoreReports(rows, now);
    const live = (await this.labels.labelsOf(number)).filter((l) => l.source === 'report' && !l.removed);
    for (const s of scores) {
      if (s.labelled) await this.labels.upsertReportLabel({ number, category: s.category, confidence: s.confidence, evidenceCount: s.reporters, expiresAt: labelExpiry(now), actor: 'reports' });
    }
    for (const l of live) {
      if (!scores.some((s) => s.labelled && s.category === l.category)) await this.labels.clear({ number, category: l.category, by: 'report', actor: 'reports', reason: 'evidence_below_threshold' });
    }
    return scores.find((s) => s.labelled) ?? scores[0] ?? null;
  }

  private async identify(reporter: Reporter, number: string): Promise<{ reporterKey: string; subscriberId: number | null; facts: ReporterFacts }> {
    if (reporter.kind === 'subscriber') {
      const sub = await this.db.getRepository(Subscriber).findOneBy({ id: reporter.subscriberId });
      if (!sub) throw new Error(`no subscriber ${reporter.subscriberId}`);
      const binding = await this.db.getRepository(PhoneBinding).findOneBy({ subscriberId: sub.id });
      if (binding && binding.phoneHash === this.deps.vault.lookupHash(number)) throw new ReportRefused('own_number');
      return { reporterKey: `s:${sub.id}`, subscriberId: sub.id, facts: { kind: 'subscriber', accountCreatedAt: sub.createdAt, hasBoundPhone: !!binding } };
    }
    const complainant = reporter.complainant ? normalizeNumber(reporter.complainant) : null;
    if (!complainant || complainant.kind === 'invalid') {
      // Without a complainant each complaint stands alone, at half weight, so one feed cannot swing a label by volume alone either.
      return { reporterKey: `c:${reporter.keyId}:${crypto.randomUUID()}`, subscriberId: null, facts: { kind: 'complaint', namesComplainant: false } };
    }
    const hash = this.deps.vault.lookupHash(complainant.value);
    if (complainant.value === number) throw new ReportRefused('own_number');
    // A complainant who is also our subscriber is one reporter, whichever channel they complained through.
    const binding = await this.db.getRepository(PhoneBinding).findOneBy({ phoneHash: hash });
    return { reporterKey: binding ? `s:${binding.subscriberId}` : `p:${hash}`, subscriberId: binding?.subscriberId ?? null, facts: { kind: 'complaint', namesComplainant: true } };
  }
}

/** Serialises work on one key across processes (a short Store lock; the holder's token frees it). */
export async function withLock<T>(store: Store, key: string, fn: () => Promise<T>, waitMs = 5000): Promise<T> {
  const token = crypto.randomBytes(8).toString('hex');
  const deadline = Date.now() + waitMs;
  while (!(await store.set(key, token, { nx: true, ttlMs: 10_000 }))) {
    if (Date.now() > deadline) throw new Error(`lock ${key} is busy`);
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    await store.compareAndDelete(key, token);
  }
}
