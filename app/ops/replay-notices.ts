// Puts failed notices back on the outbox so the workers try them again. 'uncertain' notices (the channel
// did not answer: the message may have gone) are left alone unless asked, since replaying them may give a
// subscriber the same notice twice. Works in batches, reporting progress as it goes.
import { In, MoreThanOrEqual } from 'typeorm';
import { Notice, type NoticeHistoryEntry } from '../../entities/Notice';
import type { Deps } from '../deps';

export interface ReplayOptions {
  since: Date;
  includeUncertain?: boolean;
  operator: string;
  batchSize?: number;
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export async function replayFailedNotices(deps: Pick<Deps, 'db'>, o: ReplayOptions): Promise<{ total: number; requeued: number }> {
  const repo = deps.db.getRepository(Notice);
  const states = o.includeUncertain ? ['failed', 'uncertain'] : ['failed'];
  const where = { state: In(states), createdAt: MoreThanOrEqual(o.since) };
  const total = await repo.countBy(where);
  o.onProgress?.(0, total);
  if (o.dryRun || total === 0) return { total, requeued: 0 };
  let requeued = 0;
  let done = 0;
  let afterId = 0;
  const size = o.batchSize ?? 200;
  for (;;) {
    const batch = await repo
      .createQueryBuilder('n')
      .where('n.id > :afterId', { afterId })
      .andWhere('n.state IN (:...states)', { states })
      .andWhere('n.createdAt >= :since', { since: o.since })
      .orderBy('n.id', 'ASC')
      .limit(size)
      .getMany();
    if (batch.length === 0) break;
    await deps.db.transaction(async (m) => {
      const now = new Date();
      for (const n of batch) {
        const entry: NoticeHistoryEntry = { at: now.toISOString(), event: 'requeued', result: n.state, worker: `ops:${o.operator}` };
        // Only a notice still in the state we read is moved: a worker or another operator may have been first.
        const r = await m.update(Notice, { id: n.id, state: n.state }, { state: 'pending', nextAt: now, leaseOwner: null, leaseUntil: null, tries: 0, history: [...n.history, entry], updatedAt: now });
        requeued += r.affected ?? 0;
      }
    });
    afterId = batch[batch.length - 1].id;
    done += batch.length;
    o.onProgress?.(Math.min(done, total), total);
  }
  return { total, requeued };
}
