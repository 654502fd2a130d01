// Per claimed notice, before anything is sent: go now (through which channel), wait for the end of quiet
// hours, or give up with a reason. Then, after the channel answered: what the notice becomes.
import { isFamilyKind, type Notice, type NoticeHistoryEntry } from '../../entities/Notice';
import { renderFamily } from '../family/render';
import { maskPhone } from '../privacy/mask';
import type { NoticeContext } from './context';
import { noticeAttempts, noticeLag } from './metrics';
import { wantsNotices } from './policy';
import { quietUntil } from './quiet-hours';
import { render } from './render';
import type { Job, Plan } from './job';

export interface Available {
  wechat: boolean;
  sms: boolean;
}

/** Why WeChat cannot carry this notice now, or null when it can. */
function wechatBlocker(n: Notice, ctx: NoticeContext, available: Available): string | null {
  const sub = ctx.subscribers.get(n.subscriberId);
  if (!sub) return 'subscriber gone';
  if (!sub.openid) return 'no openid';
  if (!sub.subscribed) return 'unfollowed';
  if (sub.wechatPushBlocked) return 'wechat push blocked';
  if (!available.wechat) return 'wechat not configured';
  if (n.kind !== 'enabled' && !ctx.settings.get(n.subscriberId)!.wechat) return 'wechat notices turned off';
  return null;
}

export function planNotice(n: Notice, ctx: NoticeContext, at: Date, history: NoticeHistoryEntry[], available: Available): Plan {
  const settings = ctx.settings.get(n.subscriberId)!;
  const items = ctx.items.get(n.id) ?? [];
  if (n.kind !== 'enabled') {
    if (!wantsNotices(settings)) return { do: 'fail', error: 'notices turned off by the subscriber' };
    if (items.length === 0) return { do: 'fail', error: 'no interception left to report' };
    // Settings may have changed since scheduling: quiet hours are checked again at the last moment
    // (family alerts are not held: see app/family/alerts.ts).
    const quiet = isFamilyKind(n.kind) ? null : quietUntil(at, settings.quietHours);
    if (quiet) return { do: 'hold', until: quiet };
  }
  const phone = ctx.phones.get(n.subscriberId) ?? null;
  let channel = n.channel;
  if (channel === 'wechat') {
    const blocker = wechatBlocker(n, ctx, available);
    if (blocker) {
      // The "enabled" notice has its own SMS twin; interception notices fall back when SMS is allowed.
      if (n.kind === 'enabled' || !settings.sms || !phone || !available.sms) return { do: 'fail', error: blocker };
      history.push({ at: at.toISOString(), event: 'fallback', channel: 'sms', error: blocker });
      channel = 'sms';
    }
  }
  if (channel === 'sms' && !phone) return { do: 'fail', error: 'no bound phone' };
  if (channel === 'sms' && !available.sms) return { do: 'fail', error: 'sms not configured' };
  const rendered = isFamilyKind(n.kind)
    ? renderFamily({ notice: n, items, member: ctx.family.get(n.id) ?? '****' })
    : render({ notice: { ...n, history }, items, masked: phone ? maskPhone(phone) : '****', digestMinutes: settings.digestMinutes }, at);
  return { do: 'send', channel, rendered, openid: ctx.subscribers.get(n.subscriberId)?.openid ?? null, phone };
}

export interface OutcomeOptions {
  worker: string;
  maxTries: number;
  backoff(tries: number): number;
  available: Available;
}

/**
 * What the notice row becomes after this round (its history gets the round's entries). A subscriber whose
 * WeChat refused is added to `blocked`.
 */
export function outcomeOf(job: Job, at: Date, o: OutcomeOptions, blocked: Set<number>): Partial<Notice> {
  const n = job.notice;
  const iso = at.toISOString();
  const p = job.plan;
  if (p.do === 'hold') {
    job.history.push({ at: iso, event: 'held', until: p.until.toISOString() });
    return { state: 'held', nextAt: p.until, leaseOwner: null, leaseUntil: null };
  }
  if (p.do === 'release') return { state: 'pending', nextAt: p.at, leaseOwner: null, leaseUntil: null };
  if (p.do === 'fail') {
    job.history.push({ at: iso, event: 'attempt', result: 'failed', error: p.error, worker: o.worker });
    return { state: 'failed', nextAt: null, lastError: p.error };
  }
  const v = job.verdict!;
  const tries = n.tries + 1;
  noticeAttempts.inc({ kind: n.kind, channel: p.channel, result: v.result });
  const entry: NoticeHistoryEntry = { at: iso, event: 'attempt', channel: p.channel, result: v.result, worker: o.worker };
  if ('error' in v) entry.error = v.error;
  if (v.result === 'sent' && v.msgid) entry.msgid = v.msgid;
  job.history.push(entry);
  const canFallback = n.kind !== 'enabled' && p.channel === 'wechat' && job.smsAllowed && !!p.phone && o.available.sms;
  const toSms = (why: string): Partial<Notice> => {
    job.history.push({ at: iso, event: 'fallback', channel: 'sms', error: why });
    return { state: 'pending', channel: 'sms', nextAt: at, leaseOwner: null, leaseUntil: null, tries, lastError: why };
  };
  const failed = (error: string): Partial<Notice> => ({ state: 'failed', channel: p.channel, nextAt: null, tries, lastError: error });
  switch (v.result) {
    case 'sent':
      noticeLag.observe(Math.max(0, (at.getTime() - n.dueAt.getTime()) / 1000));
      return { state: 'sent', channel: p.channel, nextAt: null, tries, sentAt: at, lastError: null, msgid: v.msgid ?? null, smsMessageId: v.smsMessageId ?? null };
    case 'uncertain':
      return { state: 'uncertain', channel: p.channel, nextAt: null, tries, lastError: v.error };
    case 'blocked':
      blocked.add(n.subscriberId);
      return canFallback ? toSms(`wechat ${v.error}`) : failed(`wechat ${v.error}`);
    case 'retry':
      if (tries < o.maxTries) return { state: 'pending', channel: p.channel, nextAt: new Date(at.getTime() + o.backoff(tries)), leaseOwner: null, leaseUntil: null, tries, lastError: v.error };
      return canFallback ? toSms(`wechat gave up after ${tries} tries: ${v.error}`) : failed(v.error);
    case 'failed':
      return canFallback ? toSms(`wechat ${v.error}`) : failed(v.error);
  }
}
