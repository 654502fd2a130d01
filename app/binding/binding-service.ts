// Phone binding: one phone → one subscriber at a time. A verified code for a phone someone else holds
// moves the phone (whoever reads the SMS holds the phone); nothing else ever moves it.
//
// A move (a number changing hands, 二次放号, or one person's second WeChat account) is never silent:
// in the same transaction the previous holder's record becomes consistent — unbound, protection off,
// their lists and history still theirs to see, export or delete — and after it commits they are told in
// WeChat. The new holder's protection is their own record's: nothing of the previous holder's follows
// the number.
import type { DataSource } from 'typeorm';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../../entities';
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

/** The previous holder of a phone that moved, for telling them (after the move committed). */
export interface MovedAway {
  subscriberId: number;
  openid: string | null;
  /** The phone, masked (138****8000). */
  masked: string;
}

export class BindingService {
  constructor(
    private readonly db: DataSource,
    private readonly vault: PhoneVault,
    /** When given, bindings that change announce it, so decision caches stop applying the old holder's preferences. */
    private readonly store?: Store,
    /** Tells the previous holder their phone moved; failures are theirs to log, the binding stands. */
    private readonly onMovedAway?: (who: MovedAway) => Promise<void>,
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
    let movedAway: MovedAway | null = null;
    const result = await this.db.transaction(async (m): Promise<BindResult> => {
      const holder = await m.findOneBy(PhoneBinding, { phoneHash });
      if (holder && holder.subscriberId === subscriberId) {
        await m.update(PhoneBinding, { id: holder.id }, { verifiedAt: new Date() });
        return { movedFrom: null, replaced: false };
      }
      let movedFrom: number | null = null;
      if (holder) {
        movedFrom = holder.subscriberId;
        const masked = maskPhone(this.vault.decrypt(holder.phoneCipher));
        const system = { actor: 'system' as const, channel: source.channel };
        await m.delete(PhoneBinding, { id: holder.id });
        await audit(m, holder.subscriberId, system, 'phone_moved_away', { to: subscriberId, phone: masked });
        // Without a phone, "enabled" would be a promise nobody keeps: protection is off until they bind again.
        const theirs = await m.findOneBy(ProtectionSettings, { subscriberId: holder.subscriberId });
        if (theirs?.enabled) {
          await m.update(ProtectionSettings, { subscriberId: holder.subscriberId }, { enabled: false, paused: false, version: theirs.version + 1, updatedAt: new Date() });
          await audit(m, holder.subscriberId, system, 'protection_disabled', { reason: 'phone_moved_away' });
        }
        const previous = await m.findOneBy(Subscriber, { id: holder.subscriberId });
        movedAway = { subscriberId: holder.subscriberId, openid: previous?.openid ?? null, masked };
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
    if (movedAway && this.onMovedAway) await this.onMovedAway(movedAway);
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
