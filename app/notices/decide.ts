// Per claimed notice, before anything is sent: go now, wait for the end of quiet hours, or give up with a
// reason; the channel it goes through and the one it falls back to (app/notices/channels). Then, after the
// channel answered: what the notice becomes.
import { isFamilyKind, type Notice, type NoticeHistoryEntry } from '../../entities/Notice';
import { renderFamily } from '../family/render';
import { maskPhone } from '../privacy/mask';
import type { NoticeContext } from './context';
import { noticeAttempts, noticeLag } from './metrics';
import { channelNamed, fallbacksAfter, wantsNotices, type AnyChannel } from './channels';
import { quietUntil } from './quiet-hours';
import { render } from './render';
import type { Job, Plan } from './job';

/** Whether this process has the transport of a channel. */
export type Configured = (channel: string) => boolean;

/**
 * The first channel after `from` that may carry this notice when `from` cannot, or null. The "enabled"
 * notice has its own twin on every channel instead.
 */
function fallbackFrom(from: string, n: Notice, ctx: NoticeContext, configured: Configured): AnyChannel | null {
  if (n.kind === 'enabled') return null;
  const settings = ctx.settings.get(n.subscriberId)!;
  return fallbacksAfter(from).find((c) => c.wanted(settings) && c.blocker(n, ctx, configured(c.name)) === null) ?? null;
}

export function planNotice(n: Notice, ctx: NoticeContext, at: Date, history: NoticeHistoryEntry[], configured: Configured): Plan {
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
  let channel = channelNamed(n.channel);
  const blocker = channel.blocker(n, ctx, configured(channel.name));
  if (blocker) {
    const next = fallbackFrom(channel.name, n, ctx, configured);
    if (!next) return { do: 'fail', error: blocker };
    history.push({ at: at.toISOString(), event: 'fallback', channel: next.name, error: blocker });
    channel = next;
  }
  const rendered = isFamilyKind(n.kind)
    ? renderFamily({ notice: n, items, member: ctx.family.get(n.id) ?? '****' })
    : render({ notice: { ...n, history }, items, masked: phone ? maskPhone(phone) : '****', digestMinutes: settings.digestMinutes }, at);
  return { do: 'send', channel: channel.name, fallback: fallbackFrom(channel.name, n, ctx, configured)?.name ?? null, rendered, openid: ctx.subscribers.get(n.subscriberId)?.openid ?? null, phone };
}

export interface OutcomeOptions {
  worker: string;
  maxTries: number;
  backoff(tries: number): number;
}

/**
 * What the notice row becomes after this round (its history gets the round's entries). A subscriber whose
 * channel refused them is added to `blocked` under that channel's name.
 */
export function outcomeOf(job: Job, at: Date, o: OutcomeOptions, blocked: Map<string, Set<number>>): Partial<Notice> {
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
  const next = p.fallback;
  const orFallback = (why: string, error = why): Partial<Notice> => {
    if (!next) return failed(error);
    job.history.push({ at: iso, event: 'fallback', channel: next, error: why });
    return { state: 'pending', channel: next, nextAt: at, leaseOwner: null, leaseUntil: null, tries, lastError: why };
  };
  const failed = (error: string): Partial<Notice> => ({ state: 'failed', channel: p.channel, nextAt: null, tries, lastError: error });
  switch (v.result) {
    case 'sent':
      noticeLag.observe(Math.max(0, (at.getTime() - n.dueAt.getTime()) / 1000));
      return { state: 'sent', channel: p.channel, nextAt: null, tries, sentAt: at, lastError: null, msgid: v.msgid ?? null, smsMessageId: v.smsMessageId ?? null };
    case 'uncertain':
      return { state: 'uncertain', channel: p.channel, nextAt: null, tries, lastError: v.error };
    case 'blocked':
      if (!blocked.has(p.channel)) blocked.set(p.channel, new Set());
      blocked.get(p.channel)!.add(n.subscriberId);
      return orFallback(`${p.channel} ${v.error}`);
    case 'retry':
      if (tries < o.maxTries) return { state: 'pending', channel: p.channel, nextAt: new Date(at.getTime() + o.backoff(tries)), leaseOwner: null, leaseUntil: null, tries, lastError: v.error };
      return orFallback(`${p.channel} gave up after ${tries} tries: ${v.error}`, v.error);
    case 'failed':
      return orFallback(`${p.channel} ${v.error}`, v.error);
  }
}
