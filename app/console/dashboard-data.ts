// What the dashboard draws, read from the database (every process shows the same figures, whichever
// answered): interceptions per hour and category, interceptions by decision reason, notices per hour by
// final state, OTP SMS per hour by result, and the outbox as it stands. Hours are China time (UTC+8).
import { shanghaiTime } from '../china-time';
import type { DataSource } from 'typeorm';
import { isSqlite } from '../db/datasource';
import { outboxOldestSeconds } from '../notices/outbox-age';
import { serviceStats, sqlTime, type ServiceStats } from '../ops/stats';

export type Range = 'day' | 'week';
export const RANGE_HOURS: Record<Range, number> = { day: 24, week: 168 };

/** One chart's data: hour labels along x, one series per key. */
export interface HourlySeries {
  hours: string[];
  series: { key: string; values: number[] }[];
}

export interface Dashboard {
  range: Range;
  interceptions: HourlySeries;
  reasons: { reason: string; count: number }[];
  notices: HourlySeries;
  otp: HourlySeries;
  outbox: { state: string; count: number }[];
  /** Seconds the most overdue waiting notice is past its time (0 when none waits). */
  outboxOldestSec: number;
  stats: ServiceStats;
}

type Row = Record<string, unknown>;

function hourExpr(db: DataSource, col: string): string {
  return isSqlite(db) ? `strftime('%Y-%m-%d %H:00', ${col}, '+8 hours')` : `DATE_FORMAT(DATE_ADD(${col}, INTERVAL 8 HOUR), '%Y-%m-%d %H:00')`;
}

/** The hour labels of the window, oldest first, in the format the SQL above produces. */
export function hourLabels(now: Date, hours: number): string[] {
  const out: string[] = [];
  const top = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  for (let i = hours - 1; i >= 0; i--) out.push(shanghaiTime(new Date(top - i * 3_600_000)).slice(0, 13) + ':00');
  return out;
}

function pivot(rows: Row[], hours: string[]): HourlySeries {
  const index = new Map(hours.map((h, i) => [h, i]));
  const byKey = new Map<string, number[]>();
  for (const r of rows) {
    const i = index.get(String(r.h));
    if (i === undefined) continue;
    const k = String(r.k);
    if (!byKey.has(k)) byKey.set(k, new Array(hours.length).fill(0));
    byKey.get(k)![i] += Number(r.c);
  }
  return { hours, series: [...byKey.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([key, values]) => ({ key, values })) };
}

export async function dashboard(db: DataSource, range: Range, now = new Date()): Promise<Dashboard> {
  const hours = hourLabels(now, RANGE_HOURS[range]);
  const since = sqlTime(new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - (RANGE_HOURS[range] - 1) * 3_600_000));
  const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)) as Row[];
  const h = (col: string) => hourExpr(db, col);
  const [inter, reasons, notices, otp, outbox, oldest, stats] = await Promise.all([
    q(`SELECT ${h('at')} AS h, COALESCE(category, reason) AS k, COUNT(*) AS c FROM interception WHERE at >= ? GROUP BY ${h('at')}, COALESCE(category, reason)`, [since]),
    q(`SELECT reason AS k, COUNT(*) AS c FROM interception WHERE at >= ? GROUP BY reason ORDER BY c DESC, k`, [since]),
    q(`SELECT ${h('createdAt')} AS h, state AS k, COUNT(*) AS c FROM notice WHERE createdAt >= ? GROUP BY ${h('createdAt')}, state`, [since]),
    q(`SELECT ${h('createdAt')} AS h, status AS k, COUNT(*) AS c FROM sms_message WHERE purpose = 'otp' AND createdAt >= ? GROUP BY ${h('createdAt')}, status`, [since]),
    q(`SELECT state AS k, COUNT(*) AS c FROM notice WHERE nextAt IS NOT NULL GROUP BY state ORDER BY state`),
    outboxOldestSeconds(db, now),
    serviceStats(db, { days: range === 'day' ? 1 : 7, now }),
  ]);
  return {
    range,
    interceptions: pivot(inter, hours),
    reasons: reasons.map((r) => ({ reason: String(r.k), count: Number(r.c) })),
    notices: pivot(notices, hours),
    otp: pivot(otp, hours),
    outbox: outbox.map((r) => ({ state: String(r.k), count: Number(r.c) })),
    outboxOldestSec: oldest,
    stats,
  };
}
