// The notice worker: claims due notices (claim.ts), decides per notice whether it goes now, waits for the
// end of quiet hours, or moves to the next channel (decide.ts), sends through the channel's registered
// type (channels/), and records the outcomes with their history (record.ts).
//
// Exactly once, as far as the channels allow: a notice is sent only by the worker holding its lease, and
// it is marked 'sending' before anything leaves. A lease that expires in 'claimed' (the worker died before
// sending) is taken over and sent; one that expires in 'sending' becomes 'uncertain', as does a WeChat
// timeout: WeChat may have delivered it, and a blind resend is how other systems doubled their messages.
// Uncertain notices stay visible (history, metrics) for the operator instead.
import crypto from 'node:crypto';
import os from 'node:os';
import { In } from 'typeorm';
import { Notice } from '../../entities/Notice';
import { publicBase } from '../config';
import { isSqlite } from '../db/datasource';
import type { Deps } from '../deps';
import { channelNamed, transportOf, type NoticeChannels } from './channels';
import { claimDue } from './claim';
import { loadContext } from './context';
import { outcomeOf, planNotice, type Configured } from './decide';
import { isSend, type Job, type SendJob } from './job';
import { noticeOutcomes } from './metrics';
import { noticeSendDuration } from '../metrics-catalog';
import { defaultPolicy, type NoticePolicy } from './policy';
import { SendRate } from './rate-limit';
import { recordRound, type RoundWrite } from './record';
import { purgeOldInterceptions } from './retention';
import { retryDeadlocks } from './tx';
import { bulkUpdate } from './bulk-update';
import type { Verdict } from './verdict';

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
  const env = { config: deps.config, publicBase: publicBase(deps.config) };
  const configured: Configured = (name) => transportOf(channels, name) !== null;
  const outcomeOptions = {
    worker: o.owner,
    maxTries: o.maxTries,
    backoff: (tries: number) => Math.round(Math.min(o.backoffMaxMs, o.backoffMs * 2 ** Math.max(0, tries - 1)) * (0.5 + Math.random() * 0.5)),
  };
  let stopping = false;
  const wakers = new Set<() => void>();

  async function send(job: SendJob): Promise<Verdict> {
    const channel = channelNamed(job.plan.channel);
    const end = noticeSendDuration.startTimer({ channel: channel.name });
    const verdict = await channel.send(transportOf(channels, channel.name), job, env);
    end({ result: verdict.result });
    return verdict;
  }

  /** How soon WeChat notices released for want of Redis are tried again. */
  const STORE_RETRY_MS = 500;

  /**
   * Channels with a shared rate (WeChat): every worker holds off after a rate-limit answer (45009), and all
   * share one send rate; what cannot go now is released.
   */
  async function throttle(jobs: Job[], claimedAt: Date): Promise<void> {
    const wechat = jobs.filter((j) => isSend(j) && channelNamed(j.plan.channel).sharedRate);
    if (wechat.length === 0) return;
    let pausedMs: number;
    let granted: boolean[];
    try {
      pausedMs = await rate.paused();
      const deadline = claimedAt.getTime() + o.leaseMs / 2;
      granted = pausedMs > 0 ? wechat.map(() => false) : await Promise.all(wechat.map(() => rate.take(deadline)));
    } catch (err) {
      // The shared rate lives in Redis: while it does not answer, these wait (released, not left leased
      // until the lease runs out) and go as soon as it is back.
      log.warn({ err, notices: wechat.length }, 'send rate unavailable (Redis): WeChat notices released to retry shortly');
      pausedMs = STORE_RETRY_MS;
      granted = wechat.map(() => false);
    }
    wechat.forEach((j, k) => {
      if (!granted[k]) j.plan = { do: 'release', at: new Date(now().getTime() + Math.max(pausedMs, 200)) };
    });
  }

  /**
   * Marks the notices 'sending' before anything leaves, while the lease is still ours with room to spare,
   * with the channel and the history so far: a worker that dies now leaves an accurate record. Returns
   * the ids marked.
   */
  async function markSending(jobs: SendJob[]): Promise<Set<number>> {
    if (jobs.length === 0) return new Set();
    const ids = jobs.map((j) => j.notice.id);
    const at = now();
    const q = (name: string) => deps.db.driver.escape(name);
    const marked = await retryDeadlocks(() =>
      bulkUpdate(
        deps.db.manager,
        Notice,
        jobs.map((j) => ({ id: j.notice.id, change: { state: 'sending', channel: j.plan.channel, history: j.history, updatedAt: at } })),
        { sql: `${q('leaseOwner')} = ? AND ${q('state')} = 'claimed' AND ${q('leaseUntil')} > ?`, params: [o.owner, new Date(at.getTime() + Math.min(1000, o.leaseMs / 4))] },
      ),
    );
    if (marked === ids.length) return new Set(ids);
    const mine = await deps.db.getRepository(Notice).find({ select: { id: true }, where: { id: In(ids), leaseOwner: o.owner, state: 'sending' } });
    log.warn({ lost: ids.length - mine.length }, 'claims lost before sending; another worker has them');
    return new Set(mine.map((m) => m.id));
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
      return { notice, history, plan: planNotice(notice, ctx, at, history, configured) };
    });
    await throttle(jobs, claimedAt);
    const sending = await markSending(jobs.filter(isSend));
    await Promise.all(
      jobs.filter((j): j is SendJob => isSend(j) && sending.has(j.notice.id)).map(async (j) => {
        j.verdict = await send(j);
        if (j.verdict.result === 'retry' && j.verdict.rateLimited) await rate.pause(o.rateLimitPauseMs);
      }),
    );

    const doneAt = now();
    const blocked = new Map<string, Set<number>>();
    const writes: RoundWrite[] = [];
    for (const j of jobs) {
      if (isSend(j) && !sending.has(j.notice.id)) continue; // lost the lease: the new holder decides
      const change = outcomeOf(j, doneAt, outcomeOptions, blocked);
      writes.push({ job: j, change: { ...change, history: j.history, updatedAt: doneAt } });
    }
    const written = await retryDeadlocks(() => deps.db.transaction((m) => recordRound(m, deps.config, o.owner, writes, blocked, doneAt)));
    if (written < writes.length) log.warn({ lost: writes.length - written }, 'notice outcomes not recorded: leases lost meanwhile');
    for (const w of writes) {
      if (w.change.state && FINAL_STATES.includes(w.change.state)) noticeOutcomes.inc({ kind: w.job.notice.kind, channel: w.change.channel ?? w.job.notice.channel, state: w.change.state });
    }
    return claimed.length;
  }

  async function lane(): Promise<void> {
    while (!stopping) {
      let n = 0;
      try {
        n = await tick();
      } catch (err) {
        log.error({ err }, 'notice worker round failed');
      }
      if (n > 0 || stopping) continue;
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
  let retentionRun: Promise<void> = Promise.resolve();
  const retentionTimer =
    o.retentionEveryMs > 0
      ? setInterval(() => {
          retentionRun = retention();
        }, o.retentionEveryMs)
      : null;
  retentionTimer?.unref();
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
