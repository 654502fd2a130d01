// Short transactions on MariaDB/MySQL. On SQLite TypeORM has one connection that every caller shares, so
// a second transaction opened while the web side's is in flight would nest inside it; there the
// statements run one by one instead (SQLite makes each atomic, and the notices module only ever needs
// per-statement atomicity there: one worker, fenced updates).
import type { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../db/datasource';

export function shortTransaction<T>(db: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
  return isSqlite(db) ? work(db.manager) : db.transaction(work);
}

function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e.driverError?.code ?? e.code;
  const errno = e.driverError?.errno ?? e.errno;
  return code === 'ER_LOCK_DEADLOCK' || errno === 1213;
}

/** Runs `work` again when InnoDB chose it as a deadlock victim (its transaction was rolled back whole). */
export async function retryDeadlocks<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isDeadlock(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
