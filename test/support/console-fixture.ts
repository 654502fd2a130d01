// The world a console test works on, built through the assembled server's own services: subscribers of a
// chosen age with a bound phone, numbers reported by several of them.
import crypto from 'node:crypto';
import { PhoneBinding, Subscriber } from '../../entities';
import type { Harness } from './app-harness';

let seq = 0;
export function freshMobile(): string {
  seq++;
  return `136${String((process.pid * 131 + seq * 7919 + crypto.randomInt(1000)) % 100_000_000).padStart(8, '0')}`;
}
export function fresh400(): string {
  seq++;
  return `400${String((process.pid * 977 + seq * 104_729 + crypto.randomInt(100)) % 10_000_000).padStart(7, '0')}`;
}

export async function subscriber(h: Harness, o: { ageDays?: number; enabled?: boolean } = {}): Promise<{ id: number; phone: string; openid: string }> {
  const at = new Date(Date.now() - (o.ageDays ?? 30) * 86_400_000);
  const openid = `o-${crypto.randomUUID()}`;
  const r = await h.deps.db.getRepository(Subscriber).insert({ openid, subscribed: true, subscribedAt: at, unsubscribedAt: null, wechatPushBlocked: false, createdAt: at, updatedAt: at });
  const id = Number(r.identifiers[0].id);
  const phone = freshMobile();
  await h.deps.db.getRepository(PhoneBinding).insert({ subscriberId: id, phoneHash: h.deps.vault.lookupHash(phone), phoneCipher: h.deps.vault.encrypt(phone), source: 'wechat', verifiedAt: at });
  if (o.enabled) await h.server.services.protection.enable(id, { actor: 'subscriber', channel: 'wechat' });
  return { id, phone, openid };
}

/** `count` established subscribers report `number` as `category` from the chat. */
export async function reported(h: Harness, number: string, category: string, count = 3): Promise<void> {
  for (let i = 0; i < count; i++) await h.server.services.reports.submit({ reporter: { kind: 'subscriber', subscriberId: (await subscriber(h)).id }, number, category, channel: 'chat' });
}
