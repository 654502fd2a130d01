// Notices as WeChat template messages. WeChat's answers are sorted into verdicts here once; a refused or
// unfollowed subscriber is marked so no worker pushes to them again, and every template that may have
// reached WeChat is kept as a wechat_message row (its delivery report arrives later, see delivery-status.ts).
import { isFamilyKind } from '../../../entities/Notice';
import { Subscriber } from '../../../entities/Subscriber';
import type { Config } from '../../config';
import { isOutcomeUncertain, isRateLimited, isUserBlocked, SYSTEM_BUSY, WechatApiError, WechatTransportError } from '../../wechat/api-errors';
import { updateByIds } from '../bulk-update';
import { shortError, type Verdict } from '../verdict';
import type { NoticeChannelType } from './channel';

/** WechatClient.sendTemplate, or anything shaped like it. */
export interface TemplateSender {
  sendTemplate(m: { openid: string; templateId: string; url?: string; data: Record<string, { value: string }> }): Promise<{ msgid: string }>;
}

/** The WeChat template a notice of this kind goes out as. */
export function templateIdOf(config: Config, kind: string): string {
  if (kind === 'enabled') return config.wechat.templateEnabled;
  return isFamilyKind(kind) ? config.wechat.templateFamily : config.wechat.templateIntercept;
}

export function wechatVerdict(err: unknown): Verdict {
  if (isOutcomeUncertain(err)) return { result: 'uncertain', error: shortError(String((err as Error).message)) };
  if (isUserBlocked(err)) return { result: 'blocked', error: `${(err as WechatApiError).errcode}` };
  if (err instanceof WechatApiError) {
    const code = err.errcode;
    if (isRateLimited(err) || code === 45011 || code === SYSTEM_BUSY) return { result: 'retry', error: `${code}`, rateLimited: code !== SYSTEM_BUSY };
    return { result: 'failed', error: shortError(`${code} ${err.errmsg}`) };
  }
  // The exchange broke before WeChat answered and the request cannot have taken effect (HTTP 5xx, no connection).
  if (err instanceof WechatTransportError) return { result: 'retry', error: shortError(err.message), rateLimited: false };
  // Token trouble or a bug: nothing reached WeChat's send path; worth another try later.
  return { result: 'retry', error: shortError(String((err as Error)?.message ?? err)), rateLimited: false };
}

export const wechatChannel: NoticeChannelType<TemplateSender, 'wechat'> = {
  name: 'wechat',
  wanted: (s) => s.wechat,
  reaches: (a) => !!a.openid,
  blocker(n, ctx, configured) {
    const sub = ctx.subscribers.get(n.subscriberId);
    if (!sub) return 'subscriber gone';
    if (!sub.openid) return 'no openid';
    if (!sub.subscribed) return 'unfollowed';
    if (sub.wechatPushBlocked) return 'wechat push blocked';
    if (!configured) return 'wechat not configured';
    if (n.kind !== 'enabled' && !ctx.settings.get(n.subscriberId)!.wechat) return 'wechat notices turned off';
    return null;
  },
  sharedRate: true,
  async send(sender, job, env) {
    const p = job.plan;
    const kind = p.rendered.template.kind;
    const base = env.publicBase;
    try {
      const { msgid } = await sender.sendTemplate({
        openid: p.openid!,
        templateId: templateIdOf(env.config, job.notice.kind),
        // The notice id lets the page show what this message was about.
        url: kind === 'enabled' ? `${base}/h5/` : kind === 'family' ? `${base}/h5/family` : `${base}/h5/records?notice=${job.notice.id}`,
        data: p.rendered.template.data,
      });
      return { result: 'sent', msgid };
    } catch (err) {
      return wechatVerdict(err);
    }
  },
  async markBlocked(m, subscriberIds, at) {
    await updateByIds(m, Subscriber, subscriberIds, { wechatPushBlocked: true, updatedAt: at }, { sql: '1 = 1', params: [] });
  },
  messageRow(job, v, config, at) {
    if (v.result !== 'sent' && v.result !== 'uncertain') return null;
    return {
      subscriberId: job.notice.subscriberId,
      kind: 'template',
      templateId: templateIdOf(config, job.notice.kind),
      purpose: job.notice.kind,
      msgid: v.result === 'sent' ? (v.msgid ?? null) : null,
      status: v.result,
      error: v.result === 'uncertain' ? v.error : null,
      createdAt: at,
      updatedAt: null,
    };
  },
};
