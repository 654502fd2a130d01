// Everything a batch of claimed notices needs to be sent, read in a handful of queries: the interceptions
// each covers, the subscribers (openid, follow state, push block), their notice settings and bound phones.
import { In, type DataSource } from 'typeorm';
import { Interception } from '../../entities/Interception';
import { isFamilyKind, type Notice } from '../../entities/Notice';
import { FamilyAlertItem } from '../../entities/FamilyAlertItem';
import { FamilyLink } from '../../entities/FamilyLink';
import { maskPhone } from '../privacy/mask';
import { NoticeItem } from '../../entities/NoticeItem';
import { PhoneBinding } from '../../entities/PhoneBinding';
import { ProtectionSettings } from '../../entities/ProtectionSettings';
import { Subscriber } from '../../entities/Subscriber';
import type { PhoneVault } from '../privacy/phone-vault';
import type { NoticeSettings } from '../protection/preferences';
import { noticeSettingsOf } from './policy';

export interface NoticeContext {
  /** Covered interceptions per notice, newest first, callers decrypted. */
  items: Map<number, { interception: Interception; caller: string }[]>;
  subscribers: Map<number, Pick<Subscriber, 'id' | 'openid' | 'subscribed' | 'wechatPushBlocked'>>;
  settings: Map<number, NoticeSettings>;
  /** Bound phone in clear, for SMS and for the masked form in templates. */
  phones: Map<number, string>;
  /** Family alerts: the member each is about, masked. */
  family: Map<number, string>;
}

const CHUNK = 500;
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export async function loadContext(db: DataSource, vault: PhoneVault, notices: Notice[]): Promise<NoticeContext> {
  const noticeIds = notices.filter((n) => n.kind !== 'enabled' && !isFamilyKind(n.kind)).map((n) => n.id);
  const familyIds = notices.filter((n) => isFamilyKind(n.kind)).map((n) => n.id);
  const subscriberIds = [...new Set(notices.map((n) => n.subscriberId))];
  const links: NoticeItem[] = [];
  for (const part of chunks(noticeIds)) links.push(...(await db.getRepository(NoticeItem).findBy({ noticeId: In(part) })));
  const family = new Map<number, string>();
  for (const part of chunks(familyIds)) {
    const alerts = await db.getRepository(FamilyAlertItem).findBy({ noticeId: In(part) });
    const members = new Map((await db.getRepository(FamilyLink).find({ select: { id: true, memberCipher: true }, where: { id: In([...new Set(alerts.map((a) => a.linkId))]) } })).map((l) => [l.id, l.memberCipher]));
    for (const a of alerts) {
      links.push({ interceptionId: a.interceptionId, noticeId: a.noticeId });
      const cipher = members.get(a.linkId);
      if (!family.has(a.noticeId)) family.set(a.noticeId, cipher ? maskPhone(vault.decrypt(cipher)) : '****');
    }
  }
  const interceptions = new Map<number, Interception>();
  for (const part of chunks(links.map((l) => l.interceptionId))) {
    for (const i of await db.getRepository(Interception).findBy({ id: In(part) })) interceptions.set(i.id, i);
  }
  const items = new Map<number, { interception: Interception; caller: string }[]>();
  for (const l of links) {
    const interception = interceptions.get(l.interceptionId);
    if (!interception) continue; // purged by retention meanwhile
    const list = items.get(l.noticeId) ?? [];
    // A digest of a call-bombing night covers thousands of calls; only the few it names are decrypted.
    let caller: string | undefined;
    list.push({
      interception,
      get caller() {
        return (caller ??= vault.decrypt(interception.callerCipher));
      },
    });
    items.set(l.noticeId, list);
  }
  for (const list of items.values()) list.sort((a, b) => b.interception.at.getTime() - a.interception.at.getTime() || b.interception.id - a.interception.id);

  const subscribers = new Map<number, NoticeContext['subscribers'] extends Map<number, infer S> ? S : never>();
  const settings = new Map<number, NoticeSettings>();
  const phones = new Map<number, string>();
  for (const part of chunks(subscriberIds)) {
    const [subs, prefs, bindings] = await Promise.all([
      db.getRepository(Subscriber).find({ select: { id: true, openid: true, subscribed: true, wechatPushBlocked: true }, where: { id: In(part) } }),
      db.getRepository(ProtectionSettings).find({ select: { subscriberId: true, notices: true }, where: { subscriberId: In(part) } }),
      db.getRepository(PhoneBinding).find({ select: { subscriberId: true, phoneCipher: true }, where: { subscriberId: In(part) } }),
    ]);
    for (const s of subs) subscribers.set(s.id, s);
    for (const p of prefs) settings.set(p.subscriberId, noticeSettingsOf(p.notices));
    for (const b of bindings) phones.set(b.subscriberId, vault.decrypt(b.phoneCipher));
  }
  for (const id of subscriberIds) if (!settings.has(id)) settings.set(id, noticeSettingsOf(undefined));
  return { items, subscribers, settings, phones, family };
}
