// One phone, one subscriber, one set of preferences. A phone enrolled by SMS keyword has a subscriber
// without an openid; when its holder later binds the same phone in WeChat (OTP verified), that SMS-only
// subscriber is folded into the WeChat one: the phone's protection, lists, history and reports move over,
// the binding moves over, and the SMS-only subscriber is removed.
//
// Preferences follow the phone: they are what the network applies to it today. Where both subscribers
// have settings, the SMS subscriber's replace the WeChat subscriber's; list entries are merged, the
// phone's entry winning where both list the same number.
//
// Not when the SMS enrolment has been silent for RECYCLE_QUARANTINE_MS: the number may have been reissued to
// someone else (二次放号), who must not inherit a stranger's lists.
//
// Call it right before BindingService.bindVerified when a WeChat subscriber verifies a code (see
// app/chat/handlers/bind-phone.ts checkCode); bindVerified then finds the phone already theirs.
import type { DataSource, EntityManager } from 'typeorm';
import { ListEntry, PhoneBinding, ProtectionSettings, Subscriber } from '../../entities';
import { audit, type AuditSource } from '../audit/audit';
import { maskPhone } from '../privacy/mask';
import type { PhoneVault } from '../privacy/phone-vault';
import { announcePreferenceChange } from '../settings/changes';
import { recordSubscriberChange } from '../protection/subscriber-changes';
import type { Store } from '../store';

/** Tables whose subscriberId is handled by hand below; every other table with one is re-pointed as is. */
const HANDLED = new Set(['subscriber', 'phone_binding', 'protection_settings', 'list_entry', 'audit_event', 'subscriber_view']);

export async function mergeSmsSubscriber(
  deps: { db: DataSource; store: Store; vault: PhoneVault },
  wechatSubscriberId: number,
  phoneHash: string,
  source: AuditSource = { actor: 'subscriber', channel: 'wechat' },
): Promise<{ mergedFrom: number | null }> {
  const mergedFrom = await deps.db.transaction(async (m) => {
    const binding = await m.findOneBy(PhoneBinding, { phoneHash });
    if (!binding || binding.subscriberId === wechatSubscriberId) return null;
    const smsOnly = await m.findOneBy(Subscriber, { id: binding.subscriberId });
    // A phone held by another WeChat follower is not merged: bindVerified moves it, as for any re-bind.
    if (!smsOnly || smsOnly.openid !== null) return null;
    // An SMS enrolment silent for longer than a number stays out of service before it is reissued
    // (二次放号) may be a stranger's: nothing of it is carried over. bindVerified then moves the phone as a
    // takeover (the old record unbound, protection off, its data its own; the new holder from the default).
    if (await silentSince(m, smsOnly.id, phoneHash, Date.now() - RECYCLE_QUARANTINE_MS)) return null;
    const from = smsOnly.id;
    const to = wechatSubscriberId;

    await moveSettings(m, from, to);
    await moveLists(m, from, to);
    for (const meta of m.connection.entityMetadatas) {
      if (HANDLED.has(meta.tableName) || !meta.findColumnWithPropertyName('subscriberId')) continue;
      await m.createQueryBuilder().update(meta.target).set({ subscriberId: to } as never).where('subscriberId = :from', { from }).execute();
    }
    // A family member who agreed by SMS stays the guarded member (家人守护) once they bind in WeChat.
    if (m.connection.entityMetadatas.some((e) => e.tableName === 'family_link'))
      await m.createQueryBuilder().update('family_link').set({ memberSubscriberId: to }).where('memberSubscriberId = :from', { from }).execute();
    if (m.connection.entityMetadatas.some((e) => e.tableName === 'report'))
      await m.createQueryBuilder().update('report').set({ reporterKey: `s:${to}` }).where('reporterKey = :k', { k: `s:${from}` }).execute();

    const own = await m.findOneBy(PhoneBinding, { subscriberId: to });
    if (own) {
      await m.delete(PhoneBinding, { id: own.id });
      await audit(m, to, source, 'phone_unbound', { phone: maskPhone(deps.vault.decrypt(own.phoneCipher)), reason: 'merged_with_sms_enrolment' });
    }
    await m.update(PhoneBinding, { id: binding.id }, { subscriberId: to, source: 'wechat', verifiedAt: new Date() });
    await audit(m, to, source, 'subscriber_merged', { from, phone: maskPhone(deps.vault.decrypt(binding.phoneCipher)) });
    await audit(m, from, source, 'merged_into', { to });
    await m.delete(Subscriber, { id: from });
    await recordSubscriberChange(m, to);
    await recordSubscriberChange(m, from);
    return from;
  });
  if (mergedFrom !== null) {
    await announcePreferenceChange(deps.store, wechatSubscriberId);
    await announcePreferenceChange(deps.store, mergedFrom);
  }
  return { mergedFrom };
}

/** Carriers reissue a number only after it has been out of service for months (90 days and more). */
export const RECYCLE_QUARANTINE_MS = 90 * 86_400_000;

/** No change, keyword or SMS of this SMS-only subscriber's phone since `since`. */
async function silentSince(m: EntityManager, subscriberId: number, phoneHash: string, since: number): Promise<boolean> {
  const at = (v: unknown) => (v ? new Date(v as string).getTime() : 0);
  const [audited] = (await m.query(`SELECT MAX(at) AS t FROM audit_event WHERE subscriberId = ?`, [subscriberId])) as { t: unknown }[];
  const [texted] = (await m.query(`SELECT MAX(createdAt) AS t FROM inbound_sms WHERE fromHash = ?`, [phoneHash])) as { t: unknown }[];
  const settings = await m.findOneBy(ProtectionSettings, { subscriberId });
  const last = Math.max(at(audited?.t), at(texted?.t), settings?.updatedAt ? settings.updatedAt.getTime() : 0);
  return last < since;
}

async function moveSettings(m: EntityManager, from: number, to: number): Promise<void> {
  const theirs = await m.findOneBy(ProtectionSettings, { subscriberId: from });
  if (!theirs) return;
  const mine = await m.findOneBy(ProtectionSettings, { subscriberId: to });
  await m.delete(ProtectionSettings, { subscriberId: to });
  await m.delete(ProtectionSettings, { subscriberId: from });
  // The version only ever grows per subscriber, so caches keyed by it never mistake the merged row for an old one.
  const version = Math.max(theirs.version, mine?.version ?? 0) + 1;
  await m.save(ProtectionSettings, Object.assign(new ProtectionSettings(), theirs, { subscriberId: to, version, updatedAt: new Date() }));
}

async function moveLists(m: EntityManager, from: number, to: number): Promise<void> {
  const theirs = await m.findBy(ListEntry, { subscriberId: from });
  if (theirs.length === 0) return;
  const mine = await m.findBy(ListEntry, { subscriberId: to });
  const byNumber = new Map(mine.map((e) => [`${e.kind}:${e.value}`, e]));
  for (const e of theirs) {
    const clash = byNumber.get(`${e.kind}:${e.value}`);
    if (clash) await m.delete(ListEntry, { id: clash.id });
  }
  await m.update(ListEntry, { subscriberId: from }, { subscriberId: to });
}
