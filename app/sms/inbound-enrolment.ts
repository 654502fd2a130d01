// Enrolment by SMS keyword: the phone that wrote is the phone to protect. The operator's gateway (signed
// webhook) vouches that the message came from that line, which proves possession as an OTP would.
// A phone already bound (in WeChat, or by an earlier keyword) keeps its one subscriber and one set of
// preferences; a new phone gets a subscriber without an openid.
import type { DataSource } from 'typeorm';
import { PhoneBinding, Subscriber } from '../../entities';
import { audit } from '../audit/audit';
import { maskPhone } from '../privacy/mask';
import type { PhoneVault } from '../privacy/phone-vault';

export async function subscriberForPhone(db: DataSource, vault: PhoneVault, phone: string): Promise<number | null> {
  const b = await db.getRepository(PhoneBinding).findOneBy({ phoneHash: vault.lookupHash(phone) });
  return b ? b.subscriberId : null;
}

/** The subscriber protecting `phone`, created as an SMS-only subscriber (openid null, binding via 'sms') when none. */
export async function enrolPhoneBySms(db: DataSource, vault: PhoneVault, phone: string): Promise<{ subscriberId: number; created: boolean }> {
  const phoneHash = vault.lookupHash(phone);
  const existing = await subscriberForPhone(db, vault, phone);
  if (existing !== null) return { subscriberId: existing, created: false };
  try {
    const subscriberId = await db.transaction(async (m) => {
      const now = new Date();
      const r = await m.insert(Subscriber, { openid: null, subscribed: false, subscribedAt: null, unsubscribedAt: null, wechatPushBlocked: false, createdAt: now, updatedAt: now });
      const id = Number(r.identifiers[0].id);
      // The unique phone hash makes a concurrent enrolment of the same phone fail here, rolling back its subscriber.
      await m.insert(PhoneBinding, { subscriberId: id, phoneHash, phoneCipher: vault.encrypt(phone), source: 'sms', verifiedAt: now });
      await audit(m, id, { actor: 'subscriber', channel: 'sms' }, 'phone_bound', { phone: maskPhone(phone), via: 'sms_keyword' });
      return id;
    });
    return { subscriberId, created: true };
  } catch (err) {
    const winner = await subscriberForPhone(db, vault, phone);
    if (winner === null) throw err;
    return { subscriberId: winner, created: false };
  }
}
