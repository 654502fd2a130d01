// Reports, appeals and labels on a running harness, plus subscribers of a chosen age: established ones
// (phone bound, account older than a week) weigh fully as reporters, fresh ones do not.
import crypto from 'node:crypto';
import { PhoneBinding, Subscriber } from '../../entities';
import { freshPhone, type Harness } from './ops-harness';

export const CARRIER_KEY = { keyId: 'test-carrier', secret: 'test-carrier-secret-0123' };

/** The reports and appeals of the running server, and an operator's review over them (as the ops CLI has it). */
export function reportServices(h: Harness) {
  const { labelPort: labels, reports, appeals, review } = h.server.services;
  return { labels, reports, appeals, review };
}

/** A subscriber created `ageDays` ago, with a bound phone unless told otherwise. */
export async function subscriberAged(h: Harness, ageDays: number, opts: { bound?: boolean; enabled?: boolean } = {}): Promise<{ id: number; phone: string; openid: string }> {
  const at = new Date(Date.now() - ageDays * 86_400_000);
  const openid = `o-${crypto.randomUUID()}`;
  const r = await h.deps.db.getRepository(Subscriber).insert({ openid, subscribed: true, subscribedAt: at, unsubscribedAt: null, wechatPushBlocked: false, createdAt: at, updatedAt: at });
  const id = Number(r.identifiers[0].id);
  const phone = freshPhone();
  if (opts.bound !== false)
    await h.deps.db.getRepository(PhoneBinding).insert({ subscriberId: id, phoneHash: h.deps.vault.lookupHash(phone), phoneCipher: h.deps.vault.encrypt(phone), source: 'wechat', verifiedAt: at });
  if (opts.enabled) await h.core.protection.enable(id, { actor: 'subscriber', channel: 'wechat' });
  return { id, phone, openid };
}

let serviceSeq = 0;
/** A 400 hotline number no other test of this process uses. */
export function fresh400(): string {
  serviceSeq++;
  return `400${String((process.pid * 977 + serviceSeq * 104_729 + crypto.randomInt(100)) % 10_000_000).padStart(7, '0')}`;
}
