// The service at a glance: subscribers, protection, interceptions per day (China time) and per category,
// notices and SMS by outcome, and the operator's queues. Grouping is done by the database.
import type { DataSource } from 'typeorm';
import { isSqlite } from '../db/datasource';

export interface ServiceStats {
  generatedAt: string;
  days: number;
  subscribers: { total: number; wechat: number; smsOnly: number; following: number; bound: number };
  protection: { enabled: number; paused: number; off: number };
  interceptions: { total: number; perDay: { day: string; count: number }[]; perCategory: { category: string; count: number }[] };
  notices: { byState: Record<string, number>; byChannel: { channel: string; state: string; count: number }[] };
  sms: { purpose: string; status: string; count: number }[];
  queues: { openAppeals: number; reportsUnreviewed: number; complaintsOverdue: number; complaintsOpen: number };
}

type Row = Record<string, unknown>;
const n = (v: unknown) => Number(v ?? 0);
/** Times as both databases store datetime(3), UTC: raw queries bind them as text. */
export const sqlTime = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');
/** A time a raw query returned: a Date from MySQL, UTC text from SQLite, or null. */
export const sqlDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + 'Z'));

async function tableExists(db: DataSource, name: string): Promise<boolean> {
  return db.entityMetadatas.some((e) => e.tableName === name);
}

export async function serviceStats(db: DataSource, opts: { days?: number; now?: Date } = {}): Promise<ServiceStats> {
  const days = opts.days ?? 7;
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - days * 86_400_000);
  const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)) as Row[];
  // China Standard Time has no daylight saving: a fixed +8 hours gives the local day on both databases.
  const day = isSqlite(db) ? `strftime('%Y-%m-%d', at, '+8 hours')` : `DATE_FORMAT(DATE_ADD(at, INTERVAL 8 HOUR), '%Y-%m-%d')`;

  const [subs] = await q(
    `SELECT COUNT(*) AS total, SUM(CASE WHEN openid IS NOT NULL THEN 1 ELSE 0 END) AS wechat, SUM(CASE WHEN openid IS NULL THEN 1 ELSE 0 END) AS smsOnly, SUM(CASE WHEN subscribed = 1 THEN 1 ELSE 0 END) AS following FROM subscriber`,
  );
  const [bound] = await q(`SELECT COUNT(*) AS c FROM phone_binding`);
  const [prot] = await q(
    `SELECT SUM(CASE WHEN enabled = 1 AND paused = 0 THEN 1 ELSE 0 END) AS enabled, SUM(CASE WHEN enabled = 1 AND paused = 1 THEN 1 ELSE 0 END) AS paused FROM protection_settings`,
  );
  const perDay = await q(`SELECT ${day} AS d, COUNT(*) AS c FROM interception WHERE at >= ? GROUP BY ${day} ORDER BY d`, [sqlTime(since)]);
  const perCategory = await q(`SELECT COALESCE(category, reason) AS k, COUNT(*) AS c FROM interception WHERE at >= ? GROUP BY COALESCE(category, reason) ORDER BY c DESC, k`, [sqlTime(since)]);

  const byState: Record<string, number> = {};
  const byChannel: { channel: string; state: string; count: number }[] = [];
  if (await tableExists(db, 'notice')) {
    for (const r of await q(`SELECT channel, state, COUNT(*) AS c FROM notice WHERE createdAt >= ? GROUP BY channel, state ORDER BY channel, state`, [sqlTime(since)])) {
      byState[String(r.state)] = (byState[String(r.state)] ?? 0) + n(r.c);
      byChannel.push({ channel: String(r.channel), state: String(r.state), count: n(r.c) });
    }
  }
  const sms = (await q(`SELECT purpose, status, COUNT(*) AS c FROM sms_message WHERE createdAt >= ? GROUP BY purpose, status ORDER BY purpose, status`, [sqlTime(since)])).map((r) => ({
    purpose: String(r.purpose),
    status: String(r.status),
    count: n(r.c),
  }));
  const [appeals] = await q(`SELECT COUNT(*) AS c FROM appeal WHERE status = 'open'`);
  const [unreviewed] = await q(`SELECT COUNT(*) AS c FROM report WHERE reviewedAt IS NULL AND status IN ('counted', 'damped')`);
  const [complaints] = await q(
    `SELECT SUM(CASE WHEN dueAt <= ? THEN 1 ELSE 0 END) AS overdue, COUNT(*) AS open FROM report WHERE forwarded12321 = 1 AND handledAt IS NULL`,
    [sqlTime(now)],
  );

  const total = n(subs.total);
  const enabled = n(prot.enabled);
  const paused = n(prot.paused);
  return {
    generatedAt: now.toISOString(),
    days,
    subscribers: { total, wechat: n(subs.wechat), smsOnly: n(subs.smsOnly), following: n(subs.following), bound: n(bound.c) },
    protection: { enabled, paused, off: total - enabled - paused },
    interceptions: {
      total: perDay.reduce((a, r) => a + n(r.c), 0),
      perDay: perDay.map((r) => ({ day: String(r.d), count: n(r.c) })),
      perCategory: perCategory.map((r) => ({ category: String(r.k), count: n(r.c) })),
    },
    notices: { byState, byChannel },
    sms,
    queues: { openAppeals: n(appeals.c), reportsUnreviewed: n(unreviewed.c), complaintsOverdue: n(complaints.overdue), complaintsOpen: n(complaints.open) },
  };
}
