// Scheduling: runs inside the transaction that stores the interceptions (the carrier's onStored hook), so
// an interception and the notice that covers it commit together or not at all (transactional outbox).
//
// Concurrency: each subscriber's notice_cursor row is taken FOR UPDATE first (in subscriber order, so two
// deliveries never wait on each other in a circle); the open digest is then re-checked with
// FOR UPDATE SKIP LOCKED, so a scheduler never waits on a worker: a digest a worker is claiming right now
// is treated as gone and the interception starts a new one.
import crypto from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Interception } from '../../entities/Interception';
import { Notice, type NoticeChannel, type NoticeHistoryEntry, type NoticeKind } from '../../entities/Notice';
import { NoticeCursor } from '../../entities/NoticeCursor';
import { NoticeItem } from '../../entities/NoticeItem';
import { isSqlite } from '../db/datasource';
import { isNotifiable } from './describe';
import { advance, place, type FoldState } from './folding';
import { CHANNELS, firstChannel, wantsNotices } from './channels';
import { defaultPolicy, type NoticePolicy } from './policy';
import { readNoticeSettings, type SettingsLookup } from './settings-lookup';

const CHUNK = 500;

export interface ScheduleResult {
  /** Notices created by this call. */
  created: number;
  /** Interceptions linked to a notice (new or already open). */
  covered: number;
}

interface NewNotice {
  subscriberId: number;
  kind: NoticeKind;
  dueAt: Date;
  held: boolean;
}

const chunks = <T>(xs: T[], n = CHUNK): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

export function noticeRow(n: { subscriberId: number; kind: NoticeKind; channel: NoticeChannel; dueAt: Date; held: boolean }, receipt: string, now: Date): Omit<Notice, 'id'> {
  const history: NoticeHistoryEntry[] = n.held ? [{ at: now.toISOString(), event: 'held', until: n.dueAt.toISOString() }] : [];
  return {
    subscriberId: n.subscriberId,
    kind: n.kind,
    channel: n.channel,
    state: n.held ? 'held' : 'pending',
    dueAt: n.dueAt,
    nextAt: n.dueAt,
    leaseOwner: null,
    leaseUntil: null,
    tries: 0,
    lastError: null,
    msgid: null,
    smsMessageId: null,
    delivery: null,
    receipt,
    history,
    createdAt: now,
    sentAt: null,
    updatedAt: now,
  };
}

/**
 * Folds the freshly stored interceptions into notices: for each subscriber, the first of a burst as its own
 * notice due now, the rest into one digest due at the end of the window, nothing inside quiet hours.
 * Interceptions without an enrolled subscriber, `allow` reports and subscribers who turned notices off
 * get no notice.
 */
export async function scheduleNotices(
  m: EntityManager,
  rows: Interception[],
  lookup: SettingsLookup = readNoticeSettings,
  policy: NoticePolicy = defaultPolicy(),
): Promise<ScheduleResult> {
  const bySubscriber = new Map<number, Interception[]>();
  for (const r of rows) {
    if (!isNotifiable(r)) continue;
    const list = bySubscriber.get(r.subscriberId!) ?? [];
    list.push(r);
    bySubscriber.set(r.subscriberId!, list);
  }
  if (bySubscriber.size === 0) return { created: 0, covered: 0 };
  const settings = await lookup(m, [...bySubscriber.keys()]);
  const ids = [...bySubscriber.keys()].filter((id) => wantsNotices(settings.get(id)!)).sort((a, b) => a - b);
  if (ids.length === 0) return { created: 0, covered: 0 };

  const sqlite = isSqlite(m.connection);
  const now = policy.now();
  const cursors = await lockCursors(m, ids, now, sqlite);
  const open = await openDigests(m, [...cursors.values()].map((c) => c.openNoticeId).filter((id): id is number => id !== null), sqlite);

  const receipt = crypto.randomBytes(12).toString('base64url');
  const fresh: NewNotice[] = [];
  // Per subscriber: which interceptions go to the notice already open, and which to each new notice.
  const plans = new Map<number, { existing: number | null; joinExisting: number[]; byKind: Map<NoticeKind, number[]>; final: FoldState; openIsNew: boolean }>();
  for (const id of ids) {
    const cursor = cursors.get(id)!;
    const openId = cursor.openNoticeId !== null && open.has(cursor.openNoticeId) ? cursor.openNoticeId : null;
    let state: FoldState = { lastDueAt: cursor.lastDueAt, open: openId !== null ? { dueAt: open.get(openId)! } : null };
    let target: { existing: number } | { kind: NoticeKind } | null = openId !== null ? { existing: openId } : null;
    const plan = { existing: openId, joinExisting: [] as number[], byKind: new Map<NoticeKind, number[]>(), final: state, openIsNew: false };
    const list = bySubscriber.get(id)!.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
    for (const i of list) {
      const p = place(state, settings.get(id)!, now, policy.minuteMs);
      if (!p.join) {
        fresh.push({ subscriberId: id, kind: p.kind, dueAt: p.dueAt, held: p.held });
        target = { kind: p.kind };
      }
      if (target && 'existing' in target) plan.joinExisting.push(i.id);
      else if (target) plan.byKind.set(target.kind, [...(plan.byKind.get(target.kind) ?? []), i.id]);
      state = advance(state, p);
    }
    plan.final = state;
    plan.openIsNew = state.open !== null && !(target && 'existing' in target);
    plans.set(id, plan);
  }

  // New notices, then their ids by (subscriber, kind): at most one of each kind per subscriber per call.
  const newIds = new Map<string, number>();
  if (fresh.length > 0) {
    for (const part of chunks(fresh)) {
      const values = part.map((n) => noticeRow({ ...n, channel: firstChannel(settings.get(n.subscriberId)!) }, receipt, now));
      await m.createQueryBuilder().insert().into(Notice).values(values).updateEntity(false).execute();
    }
    for (const part of chunks([...new Set(fresh.map((n) => n.subscriberId))])) {
      const found = await m.find(Notice, { select: { id: true, subscriberId: true, kind: true }, where: { subscriberId: In(part), receipt } });
      for (const n of found) newIds.set(`${n.subscriberId}:${n.kind}`, n.id);
    }
  }

  const links: NoticeItem[] = [];
  const cursorRows: NoticeCursor[] = [];
  for (const [id, plan] of plans) {
    for (const i of plan.joinExisting) links.push({ interceptionId: i, noticeId: plan.existing! });
    for (const [kind, list] of plan.byKind) {
      const noticeId = newIds.get(`${id}:${kind}`);
      if (noticeId === undefined) throw new Error(`scheduleNotices: the ${kind} notice just inserted for subscriber ${id} was not found`);
      for (const i of list) links.push({ interceptionId: i, noticeId });
    }
    const openNoticeId = plan.final.open === null ? null : plan.openIsNew ? newIds.get(`${id}:digest`)! : plan.existing;
    cursorRows.push({ subscriberId: id, lastDueAt: plan.final.lastDueAt, openNoticeId, updatedAt: now });
  }
  for (const part of chunks(links, 1000)) await m.createQueryBuilder().insert().into(NoticeItem).values(part).updateEntity(false).execute();
  for (const part of chunks(cursorRows)) {
    await m.createQueryBuilder().insert().into(NoticeCursor).values(part).orUpdate(['lastDueAt', 'openNoticeId', 'updatedAt'], ['subscriberId']).updateEntity(false).execute();
  }
  return { created: fresh.length, covered: links.length };
}

/** Creates missing cursor rows and locks them all, in subscriber order; returns their current values. */
async function lockCursors(m: EntityManager, ids: number[], now: Date, sqlite: boolean): Promise<Map<number, NoticeCursor>> {
  const out = new Map<number, NoticeCursor>();
  for (const part of chunks(ids)) {
    // An upsert that changes nothing still takes each row's exclusive lock (and creates it when missing).
    await m
      .createQueryBuilder()
      .insert()
      .into(NoticeCursor)
      .values(part.map((subscriberId) => ({ subscriberId, lastDueAt: null, openNoticeId: null, updatedAt: now })))
      .orUpdate(['subscriberId'], ['subscriberId'])
      .updateEntity(false)
      .execute();
    if (sqlite) {
      for (const c of await m.findBy(NoticeCursor, { subscriberId: In(part) })) out.set(c.subscriberId, c);
      continue;
    }
    // A locking read sees the latest committed cursor, not this transaction's older snapshot. FORCE INDEX
    // keeps it to point lookups on rows this transaction already holds: on a small table the optimizer
    // would otherwise scan, locking every subscriber's cursor and deadlocking concurrent deliveries.
    const rows: { subscriberId: number; lastDueAt: Date | null; openNoticeId: number | null }[] = await m.query(
      `SELECT subscriberId, lastDueAt, openNoticeId FROM notice_cursor FORCE INDEX (PRIMARY) WHERE subscriberId IN (${part.map(() => '?').join(',')}) FOR UPDATE`,
      part,
    );
    for (const r of rows) out.set(Number(r.subscriberId), { subscriberId: Number(r.subscriberId), lastDueAt: r.lastDueAt, openNoticeId: r.openNoticeId === null ? null : Number(r.openNoticeId), updatedAt: now });
  }
  return out;
}

/** Of the cursors' open digests, those still waiting (not claimed by a worker): id → dueAt. */
async function openDigests(m: EntityManager, ids: number[], sqlite: boolean): Promise<Map<number, Date>> {
  const out = new Map<number, Date>();
  for (const part of chunks(ids)) {
    if (sqlite) {
      for (const n of await m.find(Notice, { select: { id: true, dueAt: true }, where: { id: In(part), state: In(['pending', 'held']), kind: 'digest' } })) out.set(n.id, n.dueAt);
      continue;
    }
    // Point locks by primary key, skipping a row a worker is claiming right now (it is no longer open).
    const rows: { id: number; dueAt: Date }[] = await m.query(
      `SELECT id, dueAt FROM notice FORCE INDEX (PRIMARY) WHERE id IN (${part.map(() => '?').join(',')}) AND state IN ('pending', 'held') AND kind = 'digest' FOR UPDATE SKIP LOCKED`,
      part,
    );
    for (const r of rows) out.set(Number(r.id), r.dueAt);
  }
  return out;
}

/**
 * The "service enabled" notice (开通提醒): a template message and an SMS to the bound phone, through the
 * same outbox, due at once. Quiet hours do not apply: the subscriber has just asked for it.
 */
export async function scheduleEnabledNotice(
  target: EntityManager | DataSource,
  subscriberId: number,
  opts: { channels?: NoticeChannel[]; policy?: NoticePolicy } = {},
): Promise<number[]> {
  const m = target instanceof DataSource ? target.manager : target;
  const now = (opts.policy ?? defaultPolicy()).now();
  const receipt = crypto.randomBytes(12).toString('base64url');
  const channels = opts.channels ?? CHANNELS.map((c) => c.name);
  if (channels.length === 0) return [];
  await m
    .createQueryBuilder()
    .insert()
    .into(Notice)
    .values(channels.map((channel) => noticeRow({ subscriberId, kind: 'enabled', channel, dueAt: now, held: false }, receipt, now)))
    .updateEntity(false)
    .execute();
  const rows = await m.find(Notice, { select: { id: true }, where: { subscriberId, receipt }, order: { id: 'ASC' } });
  return rows.map((r) => r.id);
}

/** The onStored hook for InterceptionService: `new InterceptionService(deps, { onStored: noticeHook() })`. */
export function noticeHook(opts: { lookup?: SettingsLookup; policy?: NoticePolicy } = {}) {
  return async (m: EntityManager, rows: Interception[]): Promise<void> => {
    await scheduleNotices(m, rows, opts.lookup, opts.policy);
  };
}
