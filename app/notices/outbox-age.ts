// How late the outbox is: seconds since the most overdue waiting notice was due (0 when none is late). Read
// by the /metrics gauge and by the console's dashboard, so both say the same.
import type { DataSource } from 'typeorm';
import { sqlDate, sqlTime } from '../ops/stats';

export async function outboxOldestSeconds(db: DataSource, now = new Date()): Promise<number> {
  const rows = (await db.query(`SELECT MIN(nextAt) AS t FROM notice WHERE nextAt IS NOT NULL AND nextAt <= ? AND state IN ('pending', 'claimed', 'sending')`, [sqlTime(now)])) as { t: unknown }[];
  const at = sqlDate(rows[0]?.t);
  return at ? Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000)) : 0;
}
