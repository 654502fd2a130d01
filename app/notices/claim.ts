// Taking due notices off the outbox. MariaDB/MySQL: SELECT … FOR UPDATE SKIP LOCKED in a short transaction,
// so any number of workers in any number of processes split the due rows between them and never wait on
// each other; the claim is a lease (leaseOwner, leaseUntil) that another worker may take over once it
// expires. SQLite has no row locks: one worker per database (the embedded single-process mode), reading back
// what it claimed.
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { Notice, type NoticeHistoryEntry } from '../../entities/Notice';
import { isSqlite } from '../db/datasource';
import { updateByIds } from './bulk-update';
import { retryDeadlocks } from './tx';

export interface ClaimResult {
  /** Notices this worker now holds, state 'claimed', tries and history as stored. */
  claimed: Notice[];
  /** Ids among them whose previous claim expired before any send started (the holder died): safe to send. */
  reclaimed: Set<number>;
  /** Notices whose previous holder died while sending: recorded as uncertain, never resent. */
  abandoned: number;
}

const LEASE_LOST: (at: Date, worker: string | null) => NoticeHistoryEntry = (at, worker) => ({
  at: at.toISOString(),
  event: 'lease_expired',
  result: 'uncertain',
  worker: worker ?? undefined,
  error: 'the worker holding it stopped while sending; the message may have gone',
});

export async function claimDue(db: DataSource, owner: string, limit: number, leaseMs: number, now: Date): Promise<ClaimResult> {
  const run = async (m: EntityManager, lock: boolean): Promise<ClaimResult> => {
    const q = m.createQueryBuilder(Notice, 'n').where('n.nextAt <= :now', { now }).orderBy('n.nextAt', 'ASC').limit(limit);
    if (lock) q.setLock('pessimistic_write').setOnLocked('skip_locked');
    const due = await q.getMany();
    const sending = due.filter((n) => n.state === 'sending');
    const ready = due.filter((n) => n.state === 'pending' || n.state === 'held' || n.state === 'claimed');
    for (const n of sending) {
      // A send was started under a lease that ran out: resending could give the subscriber the notice twice.
      const history = [...n.history, LEASE_LOST(now, n.leaseOwner)];
      await m.update(Notice, { id: n.id, state: 'sending' }, { state: 'uncertain', nextAt: null, lastError: 'lease expired while sending', history, updatedAt: now });
    }
    const reclaimed = new Set(ready.filter((n) => n.state === 'claimed').map((n) => n.id));
    if (ready.length === 0) return { claimed: [], reclaimed, abandoned: sending.length };
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const ids = ready.map((n) => n.id);
    await updateByIds(m, Notice, ids, { state: 'claimed', leaseOwner: owner, leaseUntil, nextAt: leaseUntil, updatedAt: now }, { sql: `${m.connection.driver.escape('state')} IN ('pending', 'held', 'claimed')`, params: [] });
    if (!lock) {
      // Without row locks, read back what this worker really holds.
      const mine = await m.find(Notice, { where: { id: In(ids), leaseOwner: owner, state: 'claimed' } });
      return { claimed: mine, reclaimed, abandoned: sending.length };
    }
    for (const n of ready) Object.assign(n, { state: 'claimed', leaseOwner: owner, leaseUntil, nextAt: leaseUntil });
    return { claimed: ready, reclaimed, abandoned: sending.length };
  };
  const lock = !isSqlite(db);
  return retryDeadlocks(() => db.transaction((m) => run(m, lock)));
}
