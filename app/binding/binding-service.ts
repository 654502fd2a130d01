// Phone binding: one phone → one subscriber at a time. A verified code for a phone someone else holds
// moves the phone (whoever reads the SMS holds the phone); nothing else ever moves it.
import type { DataSource } from 'typeorm';
import { PhoneBinding } from '../../entities';
import type { PhoneVault } from '../privacy/phone-vault';
import { maskPhone } from '../privacy/mask';
import { audit, type AuditSource } from '../audit/audit';
import { announcePreferenceChange } from '../settings/changes';
import { recordSubscriberChange } from '../protection/subscriber-changes';
import type { Store } from '../store';

export interface BindResult {
  /** The subscriber who lost the phone to this binding, if any. */
  movedFrom: number | null;
  /** The subscriber's previous phone hash when they re-bound to another number. */
  replaced: boolean;
}

export class BindingService {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PhoneVault,
    /** When given, bindings that change announce it, so decision caches stop applying the old holder's preferences. */
    private readonly store?: Store,
  ) {}

  private async announce(...subscriberIds: (number | null)[]): Promise<void> {
    if (!this.store) return;
    for (const id of subscriberIds) if (id !== null) await announcePreferenceChange(this.store, id);
  }

  async forSubscriber(subscriberId: number): Promise<PhoneBinding | null> {
    return this.db.getRepository(PhoneBinding).findOneBy({ subscriberId });
  }

  async byPhoneHash(phoneHash: string): Promise<PhoneBinding | null> {
    return this.db.getRepository(PhoneBinding).findOneBy({ phoneHash });
  }

  /** The bound phone, decrypted — for sending an SMS or rendering it masked. */
  phoneOf(b: PhoneBinding): string {
    return this.vault.decrypt(b.phoneCipher);
  }

  maskedPhoneOf(b: PhoneBinding): string {
    return maskPhone(this.phoneOf(b));
  }

  /** Binds a phone whose code the subscriber has just verified. */
  async bindVerified(subscriberId: number, phoneHash: string, phoneCipher: string, source: AuditSource, via: 'wechat' | 'sms' = 'wechat'): Promise<BindResult> {
    const result = await this.db.transaction(async (m): Promise<BindResult> => {
      const holder = await m.findOneBy(PhoneBinding, { phoneHash });
      if (holder && holder.subscriberId === subscriberId) {
        await m.update(PhoneBinding, { id: holder.id }, { verifiedAt: new Date() });
        return { movedFrom: null, replaced: false };
      }
      let movedFrom: number | null = null;
      if (holder) {
        movedFrom = holder.subscriberId;
        await m.delete(PhoneBinding, { id: holder.id });
        await audit(m, holder.subscriberId, { actor: 'system', channel: source.channel }, 'phone_moved_away', { to: subscriberId, phone: maskPhone(this.vault.decrypt(holder.phoneCipher)) });
      }
      const own = await m.findOneBy(PhoneBinding, { subscriberId });
      if (own) await m.delete(PhoneBinding, { id: own.id });
      await m.insert(PhoneBinding, { subscriberId, phoneHash, phoneCipher, source: via, verifiedAt: new Date() });
      await audit(m, subscriberId, source, 'phone_bound', { phone: maskPhone(this.vault.decrypt(phoneCipher)), movedFrom, replaced: !!own });
      await recordSubscriberChange(m, subscriberId);
      if (movedFrom !== null) await recordSubscriberChange(m, movedFrom);
      return { movedFrom, replaced: !!own };
    });
    await this.announce(subscriberId, result.movedFrom);
    return result;
  }

  async unbind(subscriberId: number, source: AuditSource): Promise<boolean> {
    const unbound = await this.db.transaction(async (m) => {
      const own = await m.findOneBy(PhoneBinding, { subscriberId });
      if (!own) return false;
      await m.delete(PhoneBinding, { id: own.id });
      await audit(m, subscriberId, source, 'phone_unbound', { phone: maskPhone(this.vault.decrypt(own.phoneCipher)) });
      await recordSubscriberChange(m, subscriberId);
      return true;
    });
    if (unbound) await this.announce(subscriberId);
    return unbound;
  }
}
