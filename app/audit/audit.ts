// The audit trail: who changed what, when, from which channel. Written inside the change's transaction.
import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../../entities';

export type Actor = 'subscriber' | 'guardian' | 'operator' | 'carrier' | 'marketer' | 'system';
export type Channel = 'wechat' | 'h5' | 'sms' | 'cli' | 'console' | 'api' | 'system';

export interface AuditSource {
  actor: Actor;
  channel: Channel;
}

export async function audit(m: EntityManager, subscriberId: number | null, source: AuditSource, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await m.insert(AuditEvent, { subscriberId, actor: source.actor, channel: source.channel, action, detail: detail as never, at: new Date() });
}
