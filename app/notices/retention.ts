// Retention: interceptions older than the configured period go, with the links and the finished notices
// of that age. Walked by primary-key ranges in small transactions, so the table is never locked as a
// whole and carriers keep reporting while it runs.
import type { EntityManager } from 'typeorm';
import { In, IsNull, LessThan, MoreThanOrEqual } from 'typeorm';
import { Interception } from '../../entities/Interception';
import { Notice } from '../../entities/Notice';
import { NoticeItem } from '../../entities/NoticeItem';
import { FamilyAlertItem } from '../../entities/FamilyAlertItem';
import { retryDeadlocks } from './tx';
import type { Deps } from '../deps';

export interface PurgeOptions {
  /** Rows per transaction. */
  batch?: number;
  now?: Date;
  /** Pause between batches, leaving room for the traffic. */
  pauseMs?: number;
}

export interface PurgeResult {
  interceptions: number;
  notices: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deletes interceptions whose call (`at`) or record (`createdAt`) is older than `days`, and finished
 * notices created before the cutoff. Ids grow with `createdAt`, so the walk from the lowest id stops at
 * the first batch with nothing to delete whose records are all younger than the cutoff: a call reported
 * very late goes at the latest `days` after it was reported.
 */
export async function purgeOldInterceptions(deps: Pick<Deps, 'db'>, days: number, opts: PurgeOptions = {}): Promise<PurgeResult> {
  const db = deps.db;
  const batch = opts.batch ?? 1000;
  const cutoff = new Date((opts.now ?? new Date()).getTime() - days * 86_400_000);
  const inTx = <T>(work: (m: EntityManager) => Promise<T>) => retryDeadlocks(() => db.transaction(work));
  const result: PurgeResult = { interceptions: 0, notices: 0 };

  let from = 0;
  for (;;) {
    const rows = await db.getRepository(Interception).find({ select: { id: true, at: true, createdAt: true }, where: { id: MoreThanOrEqual(from) }, order: { id: 'ASC' }, take: batch });
    if (rows.length === 0) break;
    const old = rows.filter((r) => r.at < cutoff || r.createdAt < cutoff).map((r) => r.id);
    if (old.length > 0) {
      await inTx(async (m) => {
        await m.delete(NoticeItem, { interceptionId: In(old) });
        await m.delete(FamilyAlertItem, { interceptionId: In(old) });
        await m.delete(Interception, { id: In(old) });
      });
      result.interceptions += old.length;
    }
    if (old.length === 0 && rows.every((r) => r.createdAt >= cutoff)) break;
    from = rows[rows.length - 1].id + 1;
    if (opts.pauseMs) await sleep(opts.pauseMs);
  }

  from = 0;
  for (;;) {
    const rows = await db.getRepository(Notice).find({ select: { id: true, createdAt: true }, where: { id: MoreThanOrEqual(from) }, order: { id: 'ASC' }, take: batch });
    if (rows.length === 0) break;
    const old = rows.filter((r) => r.createdAt < cutoff).map((r) => r.id);
    if (old.length > 0) {
      const n = await inTx(async (m) => {
        // Only finished notices: one still waiting keeps its row until it is sent.
        const gone = await m.find(Notice, { select: { id: true }, where: { id: In(old), nextAt: IsNull(), createdAt: LessThan(cutoff) } });
        if (gone.length === 0) return 0;
        const ids = gone.map((g) => g.id);
        await m.delete(NoticeItem, { noticeId: In(ids) });
        await m.delete(FamilyAlertItem, { noticeId: In(ids) });
        await m.delete(Notice, { id: In(ids) });
        return ids.length;
      });
      result.notices += n;
    }
    if (rows.every((r) => r.createdAt >= cutoff)) break;
    from = rows[rows.length - 1].id + 1;
    if (opts.pauseMs) await sleep(opts.pauseMs);
  }
  return result;
}
