// The notice worker: claims due notices (claim.ts), decides per notice whether it goes now, waits for the
// end of quiet hours, or moves from WeChat to SMS, sends, and records the outcome with its history.
//
// Exactly once, as far as the channels allow: a notice is sent only by the worker holding its lease, and
// it is marked 'sending' before anything leaves. A lease that expires in 'claimed' (the worker died before
// sending) is taken over and sent; one that expires in 'sending' becomes 'uncertain', as does a WeChat
// timeout: WeChat may have delivered it, and a blind resend is how other systems doubled their messages.
// Uncertain notices stay visible (history, metrics) for the operator instead.
import crypto from 'node:crypto';
import os from 'node:os';
import { In, type EntityManager } from 'typeorm';
import { Notice, type NoticeChannel, type NoticeHistoryEntry } from '../../entities/Notice';
import { Subscriber } from '../../entities/Subscriber';
import { WechatMessage } from '../../entities/WechatMessage';
import { publicBase } from '../config';
import { isSqlite } from '../db/datasource';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import { sendSms, sendWechat, type NoticeChannels, type Verdict } from './channels';
import { claimDue } from './claim';
import { loadContext, type NoticeContext } from './context';
import { noticeAttempts, noticeLag, noticeOutcomes } from './metrics';
import { defaultPolicy, wantsNotices, type NoticePolicy } from './policy';
import { quietUntil } from './quiet-hours';
import { render, type Rendered } from './render';
import { SendRate } from './rate-limit';
import { purgeOldInterceptions } from './retention';
import { shortTransaction } from './tx';
import { bulkUpdate } from './bulk-update';

export interface NoticeWorkerOptions {
  /** This worker's name in leases and history; default host:pid:random. */
  owner?: string;
  /** How long a claim is this worker's alone. Longer than a batch takes to send (HTTP timeouts included). */
  leaseMs?: number;
  /** Notices per claim; they are sent concurrently. */
  batch?: number;
  /** Claim-and-send loops per process (MariaDB/MySQL; at most 1 on SQLite). 0: none, the caller drives tick(). */
  lanes?: number;
  /** Wait before looking again when nothing was due. */
  idleMs?: number;
  /** WeChat sends per second across all workers (shared through the Store). */
  ratePerSecond?: number;
  /** Send attempts before a notice is given up (or moved to SMS). */
  maxTries?: number;
  /** First retry delay; doubles per attempt up to backoffMaxMs, with jitter. */
  backoffMs?: number;
  backoffMaxMs?: number;
  /** How long every worker holds off WeChat after a 45009. */
  rateLimitPauseMs?: number;
  /** How often to purge old interceptions; 0 turns it off. */
  retentionEveryMs?: number;
  retentionDays?: number;
  policy?: NoticePolicy;
}

export interface NoticeWorker {
  readonly owner: string;
  /** One claim-and-send round; resolves to the number of notices it claimed. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

type Plan =
  | { do: 'hold'; until: Date }
  | { do: 'release'; at: Date }
  | { do: 'fail'; error: string }
  | { do: 'send'; channel: NoticeChannel; rendered: Rendered; openid: string | null; phone: string | null };

interface Job {
  notice: Notice;
  history: NoticeHistoryEntry[];
  plan: Plan;
  /** The subscriber allows SMS: a WeChat notice that cannot be delivered moves there. */
  smsAllowed: boolean;
  verdict?: Verdict;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FINAL_STATES = ['sent', 'failed', 'uncertain'];

export function startNoticeWorker(deps: Deps, channels: NoticeChannels, opts: NoticeWorkerOptions = {}): NoticeWorker {
  const sqlite = isSqlite(deps.db);
  const o = {
    owner: opts.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`,
    leaseMs: opts.leaseMs ?? 30_000,
    batch: opts.batch ?? 32,
    lanes: Math.min(opts.lanes ?? 2, sqlite ? 1 : Number.POSITIVE_INFINITY),
    idleMs: opts.idleMs ?? 250,
    ratePerSecond: opts.ratePerSecond ?? 500,
    maxTries: opts.maxTries ?? 6,
    backoffMs: opts.backoffMs ?? 2_000,
    backoffMaxMs: opts.backoffMaxMs ?? 300_000,
    rateLimitPauseMs: opts.rateLimitPauseMs ?? 1_000,
    retentionEveryMs: opts.retentionEveryMs ?? 3_600_000,
    retentionDays: opts.retentionDays ?? deps.config.retentionDays,
  };
  const policy = opts.policy ?? defaultPolicy();
  const now = () => policy.now();
  const rate = new SendRate(deps.store, o.ratePerSecond, () => now().getTime());
  const log = deps.log.child({ worker: o.owner });
  const base = publicBase(deps.config);
  let stopping = false;
  const wakers = new Set<() => void>();

  const backoff = (tries: number) => {
    const d = Math.min(o.backoffMaxMs, o.backoffMs * 2 ** Math.max(0, tries - 1));
    return Math.round(d * (0.5 + Math.random() * 0.5));
  };

  function plan(n: Notice, ctx: NoticeContext, at: Date, history: NoticeHistoryEntry[]): Plan {
    const settings = ctx.settings.get(n.subscriberId)!;
    const items = ctx.items.get(n.id) ?? [];
    if (n.kind !== 'enabled') {
      if (!wantsNotices(settings)) return { do: 'fail', error: 'notices turned off by the subscriber' };
      if (items.length === 0) return { do: 'fail', error: 'no interception left to report' };
      // Settings may have changed since scheduling: quiet hours are checked again at the last moment.
      const quiet = quietUntil(at, settings.quietHours);
      if (quiet) return { do: 'hold', until: quiet };
    }
    const sub = ctx.subscribers.get(n.subscriberId);
    const phone = ctx.phones.get(n.subscriberId) ?? null;
    let channel = n.channel;
    if (channel === 'wechat') {
      const unreachable = !sub
        ? 'subscriber gone'
        : !sub.openid
          ? 'no openid'
          : !sub.subscribed
            ? 'unfollowed'
            : sub.wechatPushBlocked
              ? 'wechat push blocked'
              : !channels.wechat
                ? 'wechat not configured'
                : n.kind !== 'enabled' && !settings.wechat
                  ? 'wechat notices turned off'
                  : null;
      if (unreachable) {
        // The "enabled" notice has its own SMS twin; interception notices fall back when SMS is allowed.
        if (n.kind === 'enabled' || !settings.sms || !phone || !channels.sms) return { do: 'fail', error: unreachable };
        history.push({ at: at.toISOString(), event: 'fallback', channel: 'sms', error: unreachable });
        channel = 'sms';
      }
    }
    if (channel === 'sms' && !phone) return { do: 'fail', error: 'no bound phone' };
    if (channel === 'sms' && !channels.sms) return { do: 'fail', error: 'sms not configured' };
    const rendered = render({ notice: { ...n, history }, items, masked: phone ? maskPhone(phone) : '****', digestMinutes: settings.digestMinutes }, at);
    return { do: 'send', channel, rendered, openid: sub?.openid ?? null, phone };
  }

  async function send(job: Job & { plan: Extract<Plan, { do: 'send' }> }): Promise<Verdict> {
    const n = job.notice;
    const p = job.plan;
    if (p.channel === 'wechat') {
      const enabled = p.rendered.template.kind === 'enabled';
      return sendWechat(channels.wechat!, {
        openid: p.openid!,
        templateId: enabled ? deps.config.wechat.templateEnabled : deps.config.wechat.templateIntercept,
        url: enabled ? `${base}/h5/` : `${base}/h5/interceptions?notice=${n.id}`,
        data: p.rendered.template.data,
      });
    }
    return sendSms(channels.sms!, { phone: p.phone!, purpose: 'notice', ...p.rendered.sms });
  }

  /** What the row becomes after the verdict; null when it stays as is. */
  function outcome(job: Job, at: Date, blockedSubscribers: Set<number>): Partial<Notice> {
    const n = job.notice;
    const iso = at.toISOString();
    const p = job.plan;
    if (p.do === 'hold') {
      job.history.push({ at: iso, event: 'held', until: p.until.toISOString() });
      return { state: 'held', nextAt: p.until, leaseOwner: null, leaseUntil: null };
    }
    if (p.do === 'release') return { state: 'pending', nextAt: p.at, leaseOwner: null, leaseUntil: null };
    if (p.do === 'fail') {
      job.history.push({ at: iso, event: 'attempt', result: 'failed', error: p.error, worker: o.owner });
      return { state: 'failed', nextAt: null, lastError: p.error };
    }
    const v = job.verdict!;
    const tries = n.tries + 1;
    noticeAttempts.inc({ kind: n.kind, channel: p.channel, result: v.result });
    const entry: NoticeHistoryEntry = { at: iso, event: 'attempt', channel: p.channel, result: v.result, worker: o.owner };
    if ('error' in v) entry.error = v.error;
    if (v.result === 'sent' && v.msgid) entry.msgid = v.msgid;
    job.history.push(entry);
    const canFallback = n.kind !== 'enabled' && p.channel === 'wechat' && job.smsAllowed && !!p.phone && !!channels.sms;
    const toSms = (why: string): Partial<Notice> => {
      job.history.push({ at: iso, event: 'fallback', channel: 'sms', error: why });
      return { state: 'pending', channel: 'sms', nextAt: at, leaseOwner: null, leaseUntil: null, tries, lastError: why };
    };
    switch (v.result) {
      case 'sent':
        noticeLag.observe(Math.max(0, (at.getTime() - n.dueAt.getTime()) / 1000));
        return { state: 'sent', channel: p.channel, nextAt: null, tries, sentAt: at, lastError: null, msgid: v.msgid ?? null, smsMessageId: v.smsMessageId ?? null };
      case 'uncertain':
        return { state: 'uncertain', channel: p.channel, nextAt: null, tries, lastError: v.error };
      case 'blocked':
        blockedSubscribers.add(n.subscriberId);
        return canFallback ? toSms(`wechat ${v.error}`) : { state: 'failed', nextAt: null, tries, lastError: `wechat ${v.error}` };
      case 'retry':
        if (tries < o.maxTries) return { state: 'pending', channel: p.channel, nextAt: new Date(at.getTime() + backoff(tries)), leaseOwner: null, leaseUntil: null, tries, lastError: v.error };
        return canFallback ? toSms(`wechat gave up after ${tries} tries: ${v.error}`) : { state: 'failed', nextAt: null, tries, lastError: v.error };
      case 'failed':
        return canFallback ? toSms(`wechat ${v.error}`) : { state: 'failed', channel: p.channel, nextAt: null, tries, lastError: v.error };
    }
  }

  async function tick(): Promise<number> {
    const claimedAt = now();
    const { claimed, reclaimed, abandoned } = await claimDue(deps.db, o.owner, o.batch, o.leaseMs, claimedAt);
    if (abandoned > 0) {
      noticeOutcomes.inc({ kind: 'any', channel: 'any', state: 'uncertain' }, abandoned);
      log.warn({ abandoned }, 'notices left in sending by a stopped worker are recorded as uncertain');
    }
    if (claimed.length === 0) return 0;
    const ctx = await loadContext(deps.db, deps.vault, claimed);
    const at = now();
    const jobs: Job[] = claimed.map((notice) => {
      const history = [...notice.history];
      if (reclaimed.has(notice.id)) history.push({ at: at.toISOString(), event: 'requeued', error: 'the previous claim expired before sending' });
      return { notice, history, plan: plan(notice, ctx, at, history), smsAllowed: ctx.settings.get(notice.subscriberId)!.sms };
    });

    // WeChat: everyone holds off after a 45009, and all workers share one send rate.
    const wechatJobs = jobs.filter((j) => j.plan.do === 'send' && j.plan.channel === 'wechat');
    if (wechatJobs.length > 0) {
      const pausedMs = await rate.paused();
      const deadline = claimedAt.getTime() + o.leaseMs / 2;
      const granted = pausedMs > 0 ? wechatJobs.map(() => false) : await Promise.all(wechatJobs.map(() => rate.take(deadline)));
      wechatJobs.forEach((j, k) => {
        if (!granted[k]) j.plan = { do: 'release', at: new Date(now().getTime() + Math.max(pausedMs, 200)) };
      });
    }

    const toSend = jobs.filter((j) => j.plan.do === 'send');
    let sending = new Set<number>();
    if (toSend.length > 0) {
      const ids = toSend.map((j) => j.notice.id);
      const markedAt = now();
      // Marked before anything leaves, and only while the lease is still ours with room to spare.
      const r = await deps.db
        .createQueryBuilder()
        .update(Notice)
        .set({ state: 'sending', updatedAt: markedAt })
        .where({ id: In(ids), leaseOwner: o.owner, state: 'claimed' })
        .andWhere('leaseUntil > :safe', { safe: new Date(markedAt.getTime() + 1000) })
        .execute();
      if (r.affected === ids.length) sending = new Set(ids);
      else {
        const mine = await deps.db.getRepository(Notice).find({ select: { id: true }, where: { id: In(ids), leaseOwner: o.owner, state: 'sending' } });
        sending = new Set(mine.map((m) => m.id));
        log.warn({ lost: ids.length - sending.size }, 'claims lost before sending; another worker has them');
      }
    }
    await Promise.all(
      toSend.filter((j) => sending.has(j.notice.id)).map(async (j) => {
        j.verdict = await send(j as Job & { plan: Extract<Plan, { do: 'send' }> });
        if (j.verdict.result === 'retry' && j.verdict.rateLimited) await rate.pause(o.rateLimitPauseMs);
      }),
    );

    const doneAt = now();
    const blocked = new Set<number>();
    const writes: { job: Job; change: Partial<Notice> }[] = [];
    for (const j of jobs) {
      if (j.plan.do === 'send' && !sending.has(j.notice.id)) continue; // lost the lease: the new holder decides
      const change = outcome(j, doneAt, blocked);
      writes.push({ job: j, change: { ...change, history: j.history, updatedAt: doneAt } });
    }
    const record = async (m: EntityManager) => {
      // One statement for the whole batch, fenced: only rows this worker still holds.
      const changed = await bulkUpdate(
        m,
        Notice,
        writes.map((w) => ({ id: w.job.notice.id, change: w.change })),
        { sql: `${m.connection.driver.escape('leaseOwner')} = ? AND ${m.connection.driver.escape('state')} IN ('claimed', 'sending', 'uncertain')`, params: [o.owner] },
      );
      if (changed < writes.length) log.warn({ lost: writes.length - changed }, 'notice outcomes not recorded: leases lost meanwhile');
      for (const w of writes) {
        if (w.change.state && FINAL_STATES.includes(w.change.state)) noticeOutcomes.inc({ kind: w.job.notice.kind, channel: w.change.channel ?? w.job.notice.channel, state: w.change.state });
      }
      if (blocked.size > 0) await m.update(Subscriber, { id: In([...blocked]) }, { wechatPushBlocked: true, updatedAt: doneAt });
      const messages = writes
        .filter((w) => w.job.plan.do === 'send' && (w.job.plan as { channel: string }).channel === 'wechat' && w.job.verdict && ['sent', 'uncertain'].includes(w.job.verdict.result))
        .map((w) => ({
          subscriberId: w.job.notice.subscriberId,
          kind: 'template',
          templateId: w.job.notice.kind === 'enabled' ? deps.config.wechat.templateEnabled : deps.config.wechat.templateIntercept,
          purpose: w.job.notice.kind,
          msgid: w.job.verdict!.result === 'sent' ? ((w.job.verdict as { msgid?: string }).msgid ?? null) : null,
          status: w.job.verdict!.result,
          error: w.job.verdict!.result === 'uncertain' ? (w.job.verdict as { error: string }).error : null,
          createdAt: doneAt,
          updatedAt: null,
        }));
      if (messages.length > 0) await m.createQueryBuilder().insert().into(WechatMessage).values(messages).updateEntity(false).execute();
    };
    await shortTransaction(deps.db, record);
    return claimed.length;
  }

  async function lane(): Promise<void> {
    while (!stopping) {
      let n = 0;
      try {
        n = await tick();
      } catch (err) {
        log.error({ err }, 'notice worker round failed');
        await sleep(o.idleMs);
      }
      if (n === 0 && !stopping) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            wakers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, o.idleMs);
          wakers.add(wake);
        });
      }
    }
  }

  async function retention(): Promise<void> {
    const key = 'notices:retention:lock';
    if (!(await deps.store.set(key, o.owner, { nx: true, ttlMs: 10 * 60_000 }))) return;
    try {
      const r = await purgeOldInterceptions(deps, o.retentionDays, { now: now() });
      if (r.interceptions > 0 || r.notices > 0) log.info(r, 'old interceptions purged');
    } catch (err) {
      log.error({ err }, 'retention purge failed');
    } finally {
      await deps.store.compareAndDelete(key, o.owner);
    }
  }

  const lanes = Array.from({ length: o.lanes }, () => lane());
  let retentionTimer: NodeJS.Timeout | null = null;
  let retentionRun: Promise<void> = Promise.resolve();
  if (o.retentionEveryMs > 0) {
    retentionTimer = setInterval(() => {
      retentionRun = retention();
    }, o.retentionEveryMs);
    retentionTimer.unref();
  }
  log.info({ lanes: o.lanes, batch: o.batch, leaseMs: o.leaseMs, sqlite }, 'notice worker started');

  return {
    owner: o.owner,
    tick,
    async stop() {
      stopping = true;
      if (retentionTimer) clearInterval(retentionTimer);
      for (const wake of [...wakers]) wake();
      await Promise.all(lanes);
      await retentionRun;
    },
  };
}
