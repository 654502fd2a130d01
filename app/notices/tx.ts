// Short transactions on MariaDB/MySQL. On SQLite TypeORM has one connection that every caller shares, so
// a second transaction opened while the web side's is in flight would nest inside it; there the
// statements run one by one instead (SQLite makes each atomic, and the notices module only ever needs
// per-statement atomicity there: one worker, fenced updates).
import type { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../db/datasource';

export function shortTransaction<T>(db: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
  return isSqlite(db) ? work(db.manager) : db.transaction(work);
}
