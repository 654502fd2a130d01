// WeChat's delivery report for a template message (the TEMPLATESENDJOBFINISH event): matched by the exact
// msgid, written on the notice (delivery + history) and on the wechat_message row. "failed:user block"
// means this subscriber refuses our templates: WeChat pushes stop, and the notice goes again by SMS when
// the subscriber allows SMS (it never reached them, so this is not a second notice).
import { ProtectionSettings } from '../../entities/ProtectionSettings';
import { Notice } from '../../entities/Notice';
import { PhoneBinding } from '../../entities/PhoneBinding';
import { Subscriber } from '../../entities/Subscriber';
import { WechatMessage } from '../../entities/WechatMessage';
import type { Deps } from '../deps';
import { isSqlite } from '../db/datasource';
import { fallbacksAfter } from './channels';
import { noticeSettingsOf } from './policy';

export type DeliveryStatus = 'success' | 'user_block' | 'system_failed' | 'other_failed';

/** WeChat's Status strings as seen in the wild: "success", "failed:user block", "failed: system failed", "failed:freq limit". */
export function deliveryStatusOf(status: string): DeliveryStatus {
  const s = status.trim().toLowerCase().replace(/\s+/g, ' ');
  if (s === 'success') return 'success';
  if (/^failed: ?user ?block/.test(s)) return 'user_block';
  if (/^failed: ?system ?failed/.test(s)) return 'system_failed';
  return 'other_failed';
}

export interface DeliveryResult {
  /** The notice the msgid belongs to, when it is ours. */
  noticeId: number | null;
  status: DeliveryStatus;
  /** The notice was queued again for SMS. */
  resentBySms: boolean;
}

export async function onTemplateSendJobFinish(deps: Pick<Deps, 'db' | 'log'>, msgid: string, status: string, opts: { now?: Date } = {}): Promise<DeliveryResult> {
  const now = opts.now ?? new Date();
  const kind = deliveryStatusOf(status);
  const raw = status.trim().slice(0, 32);
  await deps.db.getRepository(WechatMessage).update({ msgid }, { status: kind === 'success' ? 'delivered' : 'failed', error: kind === 'success' ? null : raw, updatedAt: now });
  return deps.db.transaction(async (m) => {
    const notice = await m.findOne(Notice, { where: { msgid }, lock: isSqlite(deps.db) ? undefined : { mode: 'pessimistic_write' } });
    if (!notice) {
      deps.log.info({ msgid, status: raw }, 'delivery report for a template message that is not a notice');
      return { noticeId: null, status: kind, resentBySms: false };
    }
    const history = [...notice.history, { at: now.toISOString(), event: 'delivery' as const, channel: 'wechat' as const, result: raw, msgid }];
    if (kind === 'user_block') {
      await m.update(Subscriber, { id: notice.subscriberId }, { wechatPushBlocked: true, updatedAt: now });
      const [settings, binding] = await Promise.all([
        m.findOne(ProtectionSettings, { select: { subscriberId: true, notices: true }, where: { subscriberId: notice.subscriberId } }),
        m.findOne(PhoneBinding, { select: { subscriberId: true }, where: { subscriberId: notice.subscriberId } }),
      ]);
      // The fallback channel (SMS) needs the bound phone; the worker checks the rest when it plans the send.
      const next = fallbacksAfter('wechat').find((c) => c.wanted(noticeSettingsOf(settings?.notices)));
      if (notice.kind !== 'enabled' && notice.state === 'sent' && binding && next) {
        history.push({ at: now.toISOString(), event: 'fallback', channel: next.name, error: 'wechat delivery failed: user block' });
        await m.update(Notice, { id: notice.id }, { delivery: raw, history, state: 'pending', channel: next.name, nextAt: now, leaseOwner: null, leaseUntil: null, updatedAt: now });
        return { noticeId: notice.id, status: kind, resentBySms: true };
      }
    }
    await m.update(Notice, { id: notice.id }, { delivery: raw, history, updatedAt: now });
    return { noticeId: notice.id, status: kind, resentBySms: false };
  });
}
