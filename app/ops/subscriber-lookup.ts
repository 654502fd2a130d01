// "Who is behind this phone?" for the operator: everything about the subscriber, masked. Revealing the full
// number and openid needs a reason and leaves an audit row naming the operator.
import { MoreThanOrEqual } from 'typeorm';
import { Appeal, AuditEvent, Interception, ListEntry, PhoneBinding, ProtectionSettings, Report, Subscriber } from '../../entities';
import { audit, type Channel } from '../audit/audit';
import { parseMainlandMobile } from '../binding/mobile';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import { stateOf } from '../settings/protection-service';
import { OpsError } from './context';

export interface SubscriberCard {
  subscriberId: number;
  phone: string;
  openid: string | null;
  bindingSource: string;
  boundAt: string;
  following: boolean;
  wechatPushBlocked: boolean;
  protection: 'off' | 'on' | 'paused';
  settingsVersion: number | null;
  rejectList: number;
  allowList: number;
  interceptions30d: number;
  reportsFiled: number;
  openAppeals: number;
  lastChange: { action: string; channel: string; at: string } | null;
  revealed: boolean;
}

const maskOpenid = (o: string | null) => (o ? `${o.slice(0, 6)}…${o.slice(-4)}` : null);

export async function findSubscriberByPhone(deps: Pick<Deps, 'db' | 'vault'>, rawPhone: string, reveal?: { operator: string; reason: string; channel?: Channel }): Promise<SubscriberCard | null> {
  const phone = parseMainlandMobile(rawPhone);
  if (!phone) throw new OpsError('not a mainland mobile number');
  if (reveal && reveal.reason.trim().length < 4) throw new OpsError('--reveal needs --reason "…" saying why (at least 4 characters)');
  const binding = await deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: deps.vault.lookupHash(phone) });
  if (!binding) return null;
  const id = binding.subscriberId;
  const sub = await deps.db.getRepository(Subscriber).findOneBy({ id });
  const settings = await deps.db.getRepository(ProtectionSettings).findOneBy({ subscriberId: id });
  const since = new Date(Date.now() - 30 * 86_400_000);
  const [rejectList, allowList, interceptions30d, reportsFiled, openAppeals, last] = await Promise.all([
    deps.db.getRepository(ListEntry).countBy({ subscriberId: id, list: 'reject' }),
    deps.db.getRepository(ListEntry).countBy({ subscriberId: id, list: 'allow' }),
    deps.db.getRepository(Interception).countBy({ subscriberId: id, at: MoreThanOrEqual(since) }),
    deps.db.getRepository(Report).countBy({ subscriberId: id }),
    deps.db.getRepository(Appeal).countBy({ subscriberId: id, status: 'open' }),
    deps.db.getRepository(AuditEvent).findOne({ where: { subscriberId: id }, order: { at: 'DESC', id: 'DESC' } }),
  ]);
  if (reveal) {
    await deps.db.transaction((m) => audit(m, id, { actor: 'operator', channel: reveal.channel ?? 'cli' }, 'subscriber_revealed', { operator: reveal.operator, reason: reveal.reason, phone: maskPhone(phone) }));
  }
  return {
    subscriberId: id,
    phone: reveal ? deps.vault.decrypt(binding.phoneCipher) : maskPhone(phone),
    openid: reveal ? (sub?.openid ?? null) : maskOpenid(sub?.openid ?? null),
    bindingSource: binding.source,
    boundAt: binding.verifiedAt.toISOString(),
    following: sub?.subscribed ?? false,
    wechatPushBlocked: sub?.wechatPushBlocked ?? false,
    protection: stateOf(settings),
    settingsVersion: settings?.version ?? null,
    rejectList,
    allowList,
    interceptions30d,
    reportsFiled,
    openAppeals,
    lastChange: last ? { action: last.action, channel: last.channel, at: last.at.toISOString() } : null,
    revealed: !!reveal,
  };
}
