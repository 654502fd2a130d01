// Appeals (误拦截申诉). A subscriber's appeal puts the number on their allow list at once (their next call
// from it goes through whatever the labels say) and opens a review; a number's owner appeals its label
// through an operator. An upheld appeal removes the number's labels (they stay in the history) and sets
// aside the reports behind them, so the same evidence cannot put the label straight back.
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { Appeal, Report } from '../../entities';
import { openNumber, sealNumber } from '../privacy/sealed-numbers';
import { audit, type AuditSource } from '../audit/audit';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import { LABEL_THRESHOLD } from '../labels/confidence';
import { normalizeNumber } from '../protection/numbers';
import type { ListsService } from '../settings/lists-service';
import type { LabelPort } from '../labels/evidence';
import { appealsFiled } from './metrics';

export type AppealRefusal =
  | 'bad_number'
  | 'not_found'
  | 'already_resolved'
  // The number carries an acting fraud label: the subscriber must confirm after a warning (a scammer may
  // be coaching them to appeal), then file again with `confirmed`.
  | 'needs_confirmation';

export class AppealRefused extends Error {
  constructor(readonly code: AppealRefusal) {
    super(code);
  }
}

export interface SubscriberAppealResult {
  appealId: number;
  number: string;
  /** The number is on the subscriber's allow list now (false only when the list is full). */
  allowListed: boolean;
  /** An open appeal by this subscriber for this number already existed; it is returned instead of a new one. */
  alreadyOpen: boolean;
}

export interface ResolveResult {
  appeal: Appeal;
  labelsCleared: number;
  reportsDismissed: number;
}

export class AppealService {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'log' | 'vault'>,
    private readonly labels: LabelPort,
    private readonly lists: Pick<ListsService, 'add'>,
    /** Tells a subscriber appellant how the review ended (WeChat); failures are logged, never undo the decision. */
    private readonly onResolved?: (appeal: Appeal) => Promise<void>,
  ) {}

  /** Whether many people's evidence says the number is a fraudster's (an acting fraud label). */
  async fraudWarning(rawNumber: string): Promise<boolean> {
    const n = normalizeNumber(rawNumber);
    if (n.kind === 'invalid') return false;
    const labels = await this.labels.labelsOf(n.value);
    return labels.some((l) => l.category === 'fraud' && !l.removed && !l.expired && l.effective >= LABEL_THRESHOLD);
  }

  private get db(): DataSource {
    return this.deps.db;
  }

  /** An appeal as callers see it: the number opened (at rest it is a lookup hash and ciphertext). */
  private opened = (a: Appeal): Appeal => Object.assign(new Appeal(), a, { number: openNumber(this.deps.vault, a) });

  async fileBySubscriber(
    subscriberId: number,
    rawNumber: string,
    opts: { source: AuditSource; interceptionId?: number | null; note?: string | null; confirmed?: boolean },
  ): Promise<SubscriberAppealResult> {
    const n = normalizeNumber(rawNumber);
    if (n.kind === 'invalid') throw new AppealRefused('bad_number');
    if (!opts.confirmed && (await this.fraudWarning(n.value))) throw new AppealRefused('needs_confirmation');
    let allowListed = true;
    try {
      await this.lists.add(subscriberId, 'allow', { number: n.value, note: '误拦截申诉' }, opts.source);
    } catch (err) {
      if ((err as { code?: string }).code !== 'list_full') throw err;
      allowListed = false;
    }
    const open = await this.db.getRepository(Appeal).findOneBy({ kind: 'subscriber', subscriberId, number: this.deps.vault.lookupHash(n.value), status: 'open' });
    if (open) return { appealId: open.id, number: n.value, allowListed, alreadyOpen: true };
    const id = await this.db.transaction(async (m) => {
      const row = await m.save(
        Appeal,
        Object.assign(new Appeal(), {
          kind: 'subscriber',
          subscriberId,
          ...sealNumber(this.deps.vault, n.value),
          interceptionId: opts.interceptionId ?? null,
          status: 'open',
          note: opts.note ? opts.note.slice(0, 255) : null,
          resolution: null,
          resolvedBy: null,
          createdAt: new Date(),
          resolvedAt: null,
        }),
      );
      await audit(m, subscriberId, opts.source, 'appeal_filed', { appeal: row.id, number: maskPhone(n.value), allowListed });
      return row.id;
    });
    appealsFiled.inc({ kind: 'subscriber', event: 'filed' });
    return { appealId: id, number: n.value, allowListed, alreadyOpen: false };
  }

  /** A number's owner (an enterprise, a courier company) contests its label; the operator files it for them. */
  async fileByOwner(rawNumber: string, p: { operator: string; note: string }): Promise<Appeal> {
    const n = normalizeNumber(rawNumber);
    if (n.kind === 'invalid') throw new AppealRefused('bad_number');
    const row = await this.db.transaction(async (m) => {
      const saved = await m.save(
        Appeal,
        Object.assign(new Appeal(), {
          kind: 'owner',
          subscriberId: null,
          ...sealNumber(this.deps.vault, n.value),
          interceptionId: null,
          status: 'open',
          note: p.note.slice(0, 255),
          resolution: null,
          resolvedBy: null,
          createdAt: new Date(),
          resolvedAt: null,
        }),
      );
      await audit(m, null, { actor: 'operator', channel: 'cli' }, 'owner_appeal_filed', { appeal: saved.id, number: maskPhone(n.value), operator: p.operator });
      return saved;
    });
    appealsFiled.inc({ kind: 'owner', event: 'filed' });
    return this.opened(row);
  }

  async list(opts: { status?: 'open' | 'upheld' | 'rejected' | 'all'; limit?: number } = {}): Promise<Appeal[]> {
    const status = opts.status ?? 'open';
    const rows = await this.db.getRepository(Appeal).find({ where: status === 'all' ? {} : { status }, order: { createdAt: 'ASC', id: 'ASC' }, take: opts.limit ?? 100 });
    return rows.map(this.opened);
  }

  /**
   * Decides an appeal. Upheld: the number's live labels are removed (history kept) and the reports behind
   * them dismissed. Rejected: labels stay; a subscriber keeps the number on their own allow list.
   */
  async resolve(id: number, decision: 'upheld' | 'rejected', p: { operator: string; resolution: string }): Promise<ResolveResult> {
    const found = await this.db.getRepository(Appeal).findOneBy({ id });
    if (!found) throw new AppealRefused('not_found');
    const appeal = this.opened(found);
    if (appeal.status !== 'open') throw new AppealRefused('already_resolved');
    const now = new Date();
    const reportsDismissed = await this.db.transaction(async (m) => {
      const claimed = await m.update(Appeal, { id, status: 'open' }, { status: decision, resolution: p.resolution.slice(0, 255), resolvedBy: p.operator.slice(0, 64), resolvedAt: now });
      if (!claimed.affected) throw new AppealRefused('already_resolved');
      let dismissed = 0;
      if (decision === 'upheld') {
        const r = await m.update(Report, { number: this.deps.vault.lookupHash(appeal.number), status: In(['counted', 'damped']) }, { status: 'dismissed', reviewedAt: now, reviewedBy: p.operator.slice(0, 64) });
        dismissed = r.affected ?? 0;
      }
      await audit(m, appeal.subscriberId, { actor: 'operator', channel: 'cli' }, `appeal_${decision}`, { appeal: id, number: maskPhone(appeal.number), operator: p.operator, reportsDismissed: dismissed });
      return dismissed;
    });
    const labelsCleared = decision === 'upheld' ? await this.labels.clear({ number: appeal.number, by: 'operator', actor: `operator:${p.operator}`, reason: `appeal #${id} upheld: ${p.resolution}`.slice(0, 255) }) : 0;
    appealsFiled.inc({ kind: appeal.kind, event: decision });
    const resolved = this.opened((await this.db.getRepository(Appeal).findOneBy({ id }))!);
    if (resolved.kind === 'subscriber' && this.onResolved) await this.onResolved(resolved).catch((err) => this.deps.log.warn({ err, appeal: id }, 'appeal outcome not delivered'));
    return { appeal: resolved, labelsCleared, reportsDismissed };
  }
}
