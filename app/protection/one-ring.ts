// 响一声 (one-ring calls): a caller that rings many different people for a second or two and hangs up, to
// bait expensive call-backs. Learnt from what the network reports on POST /carrier/v1/interceptions:
// events whose `ringMs` is at most `maxRingMs`, counted by distinct callee (one subscriber's redials are
// not a pattern) within `windowMs`; at `callees` the caller gets a `one_ring` label (source behaviour,
// weight 1, expiring after `labelTtlMs`), which the label feed carries to every process and edge copy.
import { In, MoreThanOrEqual, LessThanOrEqual, type DataSource } from 'typeorm';
import { Interception } from '../../entities';
import type { Deps } from '../deps';
import type { LabelService } from '../labels/service';
import { PublicServiceRefused } from './public-service';

export interface OneRingOptions {
  maxRingMs: number;
  callees: number;
  windowMs: number;
  labelTtlMs?: number;
}

export class OneRingLearner {
  /** callerHash → when it was labelled here: one label write per caller per window, not per delivery. */
  private readonly labelled = new Map<string, number>();

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'vault' | 'log'>,
    private readonly labels: Pick<LabelService, 'addEvidence'>,
    private readonly opts: OneRingOptions,
  ) {}

  private get db(): DataSource {
    return this.deps.db;
  }

  /** Looks at a delivery's newly stored rows; labels the callers whose short rings reached enough callees. */
  async learn(rows: readonly Interception[], now = new Date()): Promise<number> {
    const short = rows.filter((r) => r.ringMs !== null && r.ringMs <= this.opts.maxRingMs);
    if (short.length === 0) return 0;
    const callers = new Map<string, Interception>();
    for (const r of short) if (!callers.has(r.callerHash)) callers.set(r.callerHash, r);
    const since = new Date(now.getTime() - this.opts.windowMs);
    for (const [h, at] of this.labelled) if (at < since.getTime()) this.labelled.delete(h);
    const fresh = [...callers.keys()].filter((h) => !this.labelled.has(h));
    if (fresh.length === 0) return 0;
    // One query for the delivery: distinct callees per caller among short rings inside the window.
    const counts: { callerHash: string; n: string | number }[] = await this.db
      .getRepository(Interception)
      .createQueryBuilder('i')
      .select('i.callerHash', 'callerHash')
      .addSelect('COUNT(DISTINCT i.calleeHash)', 'n')
      .where({ callerHash: In(fresh), at: MoreThanOrEqual(since), ringMs: LessThanOrEqual(this.opts.maxRingMs) })
      .groupBy('i.callerHash')
      .getRawMany();
    let made = 0;
    for (const c of counts) {
      if (Number(c.n) < this.opts.callees) continue;
      const row = callers.get(c.callerHash)!;
      this.labelled.set(c.callerHash, now.getTime());
      try {
        await this.labels.addEvidence(this.deps.vault.decrypt(row.callerCipher), 'one_ring', 'behaviour', {
          weight: 1,
          at: now,
          expiresAt: new Date(now.getTime() + (this.opts.labelTtlMs ?? 7 * 86_400_000)),
        });
        made++;
      } catch (e) {
        if (e instanceof PublicServiceRefused) continue; // never labelled, whatever it does
        this.labelled.delete(c.callerHash);
        throw e;
      }
    }
    return made;
  }
}
