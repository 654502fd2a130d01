// Family alerts (家人守护提醒): when a call to a member is stopped as fraud, spoofing or call bombing, or a
// call from a fraud-labelled number got through (the network reports action `allow` for a caller labelled
// fraud, or with category `fraud`), each of the member's guardians gets a WeChat template message
// (WECHAT_TEMPLATE_FAMILY), through the same notices outbox as the subscriber's own notices: scheduled in
// the transaction that stores the interceptions, sent exactly once by the workers, folded by the guardian's
// own notice window. Quiet hours do not hold them: a scam under way cannot wait for the morning.
//
// Each (interception, link) is covered once (family_alert_item's key). The link row is the folding cursor
// and, locked FOR UPDATE on MariaDB/MySQL, the lock that serialises concurrent schedulers for one pair.
import crypto from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { FamilyAlertItem } from '../../entities/FamilyAlertItem';
import { FamilyLink } from '../../entities/FamilyLink';
import type { Interception } from '../../entities/Interception';
import { Notice, type NoticeKind } from '../../entities/Notice';
import { isSqlite } from '../db/datasource';
import { advance, place, type FoldState } from '../notices/folding';
import { wantsNotices, firstChannel } from '../notices/channels';
import { defaultPolicy, type NoticePolicy } from '../notices/policy';
import { noticeRow } from '../notices/schedule';
import { readNoticeSettings, type SettingsLookup } from '../notices/settings-lookup';
import type { PhoneVault } from '../privacy/phone-vault';
import { LABEL_THRESHOLD } from '../labels/confidence';
import { numberKey } from '../protection/number-key';
import { normalizeNumber } from '../protection/numbers';

/** Stopped calls a guardian hears about: the ones that mean someone tried to scam or harass the member. */
const ALERT_REASONS = new Set(['fraud', 'spoofed_plus86', 'high_frequency']);

export type AlertKind = 'stopped' | 'through';

export function stoppedAlert(i: Pick<Interception, 'action' | 'reason' | 'category'>): boolean {
  return i.action !== 'allow' && (ALERT_REASONS.has(i.reason) || i.category === 'fraud');
}

/** Which of the allowed calls came from a number labelled fraud (live, confident enough). */
async function fraudCallers(m: EntityManager, vault: PhoneVault, rows: Interception[], at: Date): Promise<Set<number>> {
  const keys = new Map<number, number[]>();
  for (const r of rows) {
    if (r.category === 'fraud') continue;
    const n = normalizeNumber(vault.decrypt(r.callerCipher));
    const key = n.kind === 'invalid' ? NaN : numberKey(n.value);
    if (Number.isNaN(key)) continue;
    keys.set(key, [...(keys.get(key) ?? []), r.id]);
  }
  const out = new Set(rows.filter((r) => r.category === 'fraud').map((r) => r.id));
  if (keys.size === 0) return out;
  const list = [...keys.keys()];
  const found = (await m.query(`SELECT numberKey, confidence, expiresAt FROM number_label WHERE category = 'fraud' AND tombstone = 0 AND numberKey IN (${list.map(() => '?').join(',')})`, list)) as {
    numberKey: unknown;
    confidence: unknown;
    expiresAt: unknown;
  }[];
  for (const f of found) {
    const expires = f.expiresAt ? new Date(f.expiresAt as string) : null;
    if (Number(f.confidence) < LABEL_THRESHOLD || (expires && expires.getTime() <= at.getTime())) continue;
    for (const id of keys.get(Number(f.numberKey)) ?? []) out.add(id);
  }
  return out;
}

/** Locks (MariaDB) and returns the active links of these members, in id order. */
async function lockLinks(m: EntityManager, memberIds: number[], sqlite: boolean): Promise<FamilyLink[]> {
  if (sqlite) return m.find(FamilyLink, { where: { memberSubscriberId: In(memberIds), state: 'active' }, order: { id: 'ASC' } });
  const ids = (await m.find(FamilyLink, { select: { id: true }, where: { memberSubscriberId: In(memberIds), state: 'active' } })).map((l) => l.id).sort((a, b) => a - b);
  if (ids.length === 0) return [];
  // Point locks by primary key, in id order, so two deliveries never wait on each other in a circle.
  await m.query(`SELECT id FROM family_link FORCE INDEX (PRIMARY) WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id FOR UPDATE`, ids);
  return m.find(FamilyLink, { where: { id: In(ids), state: 'active' }, order: { id: 'ASC' } });
}

export async function scheduleFamilyAlerts(m: EntityManager, vault: PhoneVault, rows: Interception[], lookup: SettingsLookup = readNoticeSettings, policy: NoticePolicy = defaultPolicy()): Promise<number> {
  const candidates = rows.filter((r) => r.subscriberId !== null);
  if (candidates.length === 0) return 0;
  const memberIds = [...new Set(candidates.map((r) => r.subscriberId!))];
  // Most callees protect nobody's parents: one indexed read and out.
  const any = await m.count(FamilyLink, { where: { memberSubscriberId: In(memberIds), state: 'active' } });
  if (any === 0) return 0;
  const now = policy.now();
  const through = await fraudCallers(m, vault, candidates.filter((r) => r.action === 'allow'), now);
  const alerting = candidates
    .map((r) => ({ row: r, kind: (stoppedAlert(r) ? 'stopped' : through.has(r.id) ? 'through' : null) as AlertKind | null }))
    .filter((x): x is { row: Interception; kind: AlertKind } => x.kind !== null)
    .sort((a, b) => a.row.at.getTime() - b.row.at.getTime() || a.row.id - b.row.id);
  if (alerting.length === 0) return 0;
  const sqlite = isSqlite(m.connection);
  const links = await lockLinks(m, [...new Set(alerting.map((a) => a.row.subscriberId!))], sqlite);
  if (links.length === 0) return 0;
  const settings = await lookup(m, [...new Set(links.map((l) => l.guardianId))]);

  const openIds = links.map((l) => l.alertOpenNoticeId).filter((id): id is number => id !== null);
  const open = new Map<number, Date>();
  if (openIds.length) {
    for (const n of await m.find(Notice, { select: { id: true, dueAt: true }, where: { id: In(openIds), state: In(['pending', 'held']), kind: 'family_digest' } })) open.set(n.id, n.dueAt);
  }

  type Plan = { link: FamilyLink; existing: number | null; items: { id: number; kind: AlertKind; target: 'existing' | NoticeKind }[]; fresh: { kind: NoticeKind; dueAt: Date }[]; state: FoldState };
  const plans: Plan[] = [];
  for (const link of links) {
    const s = settings.get(link.guardianId)!;
    if (!wantsNotices(s)) continue;
    const fold = { ...s, quietHours: null };
    const existing = link.alertOpenNoticeId !== null && open.has(link.alertOpenNoticeId) ? link.alertOpenNoticeId : null;
    let state: FoldState = { lastDueAt: link.alertLastDueAt, open: existing !== null ? { dueAt: open.get(existing)! } : null };
    let target: 'existing' | NoticeKind | null = existing !== null ? 'existing' : null;
    const plan: Plan = { link, existing, items: [], fresh: [], state };
    for (const a of alerting.filter((x) => x.row.subscriberId === link.memberSubscriberId)) {
      const p = place(state, fold, now, policy.minuteMs);
      if (!p.join) {
        const kind: NoticeKind = p.kind === 'digest' ? 'family_digest' : 'family';
        plan.fresh.push({ kind, dueAt: p.dueAt });
        target = kind;
      }
      plan.items.push({ id: a.row.id, kind: a.kind, target: target! });
      state = advance(state, p);
    }
    plan.state = state;
    if (plan.items.length) plans.push(plan);
  }
  if (plans.length === 0) return 0;

  // Each new notice's receipt names its link, so its id is found again without ambiguity (at most one
  // notice of each kind per link per call).
  const token = crypto.randomBytes(9).toString('base64url');
  const receiptOf = (linkId: number) => `${token}${String(linkId).padStart(12, '0')}`;
  const fresh = plans.flatMap((p) =>
    p.fresh.map((f) => noticeRow({ subscriberId: p.link.guardianId, kind: f.kind, channel: firstChannel(settings.get(p.link.guardianId)!), dueAt: f.dueAt, held: false }, receiptOf(p.link.id), now)),
  );
  if (fresh.length) await m.createQueryBuilder().insert().into(Notice).values(fresh).updateEntity(false).execute();
  const items: FamilyAlertItem[] = [];
  for (const p of plans) {
    const mine = p.fresh.length ? await m.find(Notice, { select: { id: true, kind: true }, where: { subscriberId: p.link.guardianId, receipt: receiptOf(p.link.id) } }) : [];
    const idOf = new Map(mine.map((n) => [n.kind, n.id]));
    for (const it of p.items) {
      const noticeId = it.target === 'existing' ? p.existing! : idOf.get(it.target);
      if (noticeId === undefined) throw new Error(`family alerts: the ${it.target} notice just inserted for link ${p.link.id} was not found`);
      items.push({ interceptionId: it.id, linkId: p.link.id, noticeId, kind: it.kind });
    }
    const openNoticeId = p.state.open === null ? null : (idOf.get('family_digest') ?? p.existing);
    await m.update(FamilyLink, { id: p.link.id }, { alertLastDueAt: p.state.lastDueAt, alertOpenNoticeId: openNoticeId, updatedAt: now });
  }
  await m.createQueryBuilder().insert().into(FamilyAlertItem).values(items).orIgnore().updateEntity(false).execute();
  return items.length;
}

/** The onStored hook for InterceptionService, beside the notices' own. */
export function familyHook(vault: PhoneVault, opts: { lookup?: SettingsLookup; policy?: NoticePolicy } = {}) {
  return async (m: EntityManager, rows: Interception[]): Promise<void> => {
    await scheduleFamilyAlerts(m, vault, rows, opts.lookup, opts.policy);
  };
}
