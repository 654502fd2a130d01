// Followers of the official account: created on first contact, never deleted by unfollowing.
import type { DataSource } from 'typeorm';
import { Subscriber } from '../../entities';
import { audit } from '../audit/audit';

export class SubscriberService {
  constructor(private readonly db: DataSource) {}

  /**
   * What the chat needs to answer most taps — the subscriber, their bound phone (sealed) and protection
   * switches — in one round trip instead of three. Null when this openid has never been seen.
   */
  async status(openid: string): Promise<{ subscriberId: number; phoneCipher: string | null; enabled: boolean; paused: boolean } | null> {
    const row = (await this.db
      .createQueryBuilder()
      .select(['s.id AS id', 'b.phoneCipher AS phoneCipher', 'p.enabled AS enabled', 'p.paused AS paused'])
      .from('subscriber', 's')
      .leftJoin('phone_binding', 'b', 'b.subscriberId = s.id')
      .leftJoin('protection_settings', 'p', 'p.subscriberId = s.id')
      .where('s.openid = :openid', { openid })
      .getRawOne()) as { id: number | string; phoneCipher: string | null; enabled: number | boolean | null; paused: number | boolean | null } | undefined;
    if (!row) return null;
    return { subscriberId: Number(row.id), phoneCipher: row.phoneCipher ?? null, enabled: Number(row.enabled ?? 0) === 1, paused: Number(row.paused ?? 0) === 1 };
  }

  async findByOpenid(openid: string): Promise<Subscriber | null> {
    return this.db.getRepository(Subscriber).findOneBy({ openid });
  }

  /** The subscriber behind an openid, created (not yet following) on first contact. */
  async ensure(openid: string): Promise<Subscriber> {
    const repo = this.db.getRepository(Subscriber);
    const found = await repo.findOneBy({ openid });
    if (found) return found;
    const now = new Date();
    try {
      await repo.insert({ openid, subscribed: false, subscribedAt: null, unsubscribedAt: null, wechatPushBlocked: false, createdAt: now, updatedAt: now });
    } catch (e) {
      // A concurrent first contact inserted it; the unique index made sure there is one.
      if (!(await repo.findOneBy({ openid }))) throw e;
    }
    return (await repo.findOneBy({ openid }))!;
  }

  async followed(openid: string): Promise<Subscriber> {
    const s = await this.ensure(openid);
    await this.db.transaction(async (m) => {
      await m.update(Subscriber, { id: s.id }, { subscribed: true, subscribedAt: new Date(), wechatPushBlocked: false, updatedAt: new Date() });
      await audit(m, s.id, { actor: 'subscriber', channel: 'wechat' }, 'follow');
    });
    return (await this.db.getRepository(Subscriber).findOneBy({ id: s.id }))!;
  }

  /** Unfollowing keeps preferences and binding (the carrier still protects the phone) but stops pushes. */
  async unfollowed(openid: string): Promise<void> {
    const s = await this.findByOpenid(openid);
    if (!s) return;
    await this.db.transaction(async (m) => {
      await m.update(Subscriber, { id: s.id }, { subscribed: false, unsubscribedAt: new Date(), updatedAt: new Date() });
      await audit(m, s.id, { actor: 'subscriber', channel: 'wechat' }, 'unfollow');
    });
  }
}
