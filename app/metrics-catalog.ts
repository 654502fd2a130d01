// The service's health at a glance, beside the registry in metrics.ts: the series the issue asks for that
// no module owns by itself. Each says below where it is recorded; modules import the object and call it.
// (Already recorded elsewhere: HTTP latency per route group in metrics.ts, WeChat API calls by path and
// errcode in wechat/api-client.ts, notice attempts and lag in notices/metrics.ts, carrier refusals and
// decisions in carrier/metrics.ts, inbound SMS in sms/inbound-metrics.ts, reports in reports/metrics.ts.)
import client from 'prom-client';
import type { DataSource } from 'typeorm';
import { registry } from './metrics';
import { outboxOldestSeconds } from './notices/outbox-age';
import { sqlTime } from './ops/stats';
import { DUE_SOON_DAYS } from './reports/complaint-deadlines';

const FAST = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const SLOW = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** WeChat callback handling, from the verified request to the reply. Record in the callback handler: kind = text|event|…, result = reply|success|refused|duplicate. */
export const callbackDuration = new client.Histogram({
  name: 'fsr_wechat_callback_duration_seconds',
  help: 'WeChat callback handling time (must stay far below WeChat’s 5 s), by message kind and result',
  labelNames: ['kind', 'result'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4.5],
  registers: [registry],
});

/** One decision of the engine, in process (the HTTP part is in fsr_http_request_duration_seconds{route="carrier"}). Record around Decider.screen / screenBatch. */
export const decisionDuration = new client.Histogram({
  name: 'fsr_decision_duration_seconds',
  help: 'Decision engine time per request, single or batch',
  labelNames: ['mode'] as const,
  buckets: FAST,
  registers: [registry],
});

export const decisions = new client.Counter({
  name: 'fsr_decisions_total',
  help: 'Decisions by action and reason',
  labelNames: ['action', 'reason'] as const,
  registers: [registry],
});

/** One notice send through a channel, recorded by the notice worker around the channel's send. */
export const noticeSendDuration = new client.Histogram({
  name: 'fsr_notice_send_duration_seconds',
  help: 'Time to send one notice through its channel, by channel and result',
  labelNames: ['channel', 'result'] as const,
  buckets: SLOW,
  registers: [registry],
});

/** Every SMS by purpose and result: OTP sends and failures are purpose="otp". Recorded by instrumentSms(). */
export const smsSends = new client.Counter({
  name: 'fsr_sms_sends_total',
  help: 'SMS sent through the provider, by purpose (otp, notice) and result (sent, failed, error)',
  labelNames: ['purpose', 'result'] as const,
  registers: [registry],
});

export const smsSendDuration = new client.Histogram({
  name: 'fsr_sms_send_duration_seconds',
  help: 'Time to send one SMS, retries included, by purpose',
  labelNames: ['purpose'] as const,
  buckets: SLOW,
  registers: [registry],
});

/** Wraps anything with SmsService's send so that every message is counted and timed. */
export function instrumentSms<T extends { send(req: { purpose: string }): Promise<{ status: string }> }>(sms: T): T {
  const send = sms.send.bind(sms);
  const wrapped = Object.create(sms) as T;
  wrapped.send = (async (req: { purpose: string }) => {
    const end = smsSendDuration.startTimer({ purpose: req.purpose });
    try {
      const r = await send(req);
      smsSends.inc({ purpose: req.purpose, result: r.status });
      return r;
    } catch (err) {
      smsSends.inc({ purpose: req.purpose, result: 'error' });
      throw err;
    } finally {
      end();
    }
  }) as T['send'];
  return wrapped;
}

/** WeChat callbacks whose handler missed the reply budget (answered 'success', the reply sent later). Recorded in wechat/callback.ts. */
export const callbackOverBudget = new client.Counter({
  name: 'fsr_wechat_callback_over_budget_total',
  help: 'WeChat callbacks whose handler missed the reply budget and were answered at once (success, or the over-budget reply where one is configured; the outcome follows as a customer-service message)',
  registers: [registry],
});

/** Screen requests the engine could not answer: the network then fails open (puts the call through). Recorded by assemble.ts' measured(). */
export const screenFailOpen = new client.Counter({
  name: 'fsr_screen_fail_open_total',
  help: 'Screen requests that ended in an error, which the network treats as allow (fail open), by mode',
  labelNames: ['mode'] as const,
  registers: [registry],
});

let outboxSource: DataSource | null = null;

/** Notices not yet final, by state: read from the outbox at each scrape once watchOutbox(db) was called. */
export const outboxDepth = new client.Gauge({
  name: 'fsr_notice_outbox_depth',
  help: 'Notices waiting in the outbox (pending, held, claimed, sending)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    if (!outboxSource?.isInitialized) return;
    this.reset();
    for (const state of ['pending', 'held', 'claimed', 'sending']) this.set({ state }, 0);
    try {
      // Non-final notices are exactly those with a nextAt, which is indexed.
      const rows = (await outboxSource.query(`SELECT state, COUNT(*) AS n FROM notice WHERE nextAt IS NOT NULL GROUP BY state`)) as { state: string; n: number | string }[];
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    } catch {
      // A scrape must not fail because the database is busy; the gauge then shows zeros for this scrape.
    }
  },
});

/** How long the most overdue waiting notice has been due: a stuck or starved worker shows here first. */
export const outboxOldest = new client.Gauge({
  name: 'fsr_notice_outbox_oldest_seconds',
  help: 'Seconds since the most overdue waiting notice (pending or claimed) was due; 0 when none is late',
  registers: [registry],
  async collect() {
    if (!outboxSource?.isInitialized) return;
    try {
      this.set(await outboxOldestSeconds(outboxSource));
    } catch {
      // A busy database must not fail the scrape.
    }
  },
});

/** Open complaints forwarded from 12321, by how close their deadline is (overdue, due_soon within DUE_SOON_DAYS, open). */
export const complaintsOpen = new client.Gauge({
  name: 'fsr_complaints_12321_open',
  help: 'Open complaints forwarded from 12321 by deadline state (overdue, due_soon, open)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    if (!outboxSource?.isInitialized) return;
    try {
      const now = Date.now();
      const soon = now + DUE_SOON_DAYS * 86_400_000;
      const rows = (await outboxSource.query(
        `SELECT SUM(CASE WHEN dueAt <= ? THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN dueAt > ? AND dueAt <= ? THEN 1 ELSE 0 END) AS due_soon, SUM(CASE WHEN dueAt > ? THEN 1 ELSE 0 END) AS open FROM report WHERE forwarded12321 = 1 AND handledAt IS NULL`,
        [sqlTime(new Date(now)), sqlTime(new Date(now)), sqlTime(new Date(soon)), sqlTime(new Date(soon))],
      )) as Record<string, unknown>[];
      for (const state of ['overdue', 'due_soon', 'open']) this.set({ state }, Number(rows[0]?.[state] ?? 0));
    } catch {
      // as above
    }
  },
});

/** Lets the database-backed gauges (outbox depth and age, 12321 complaints) read the given database (call once at start, in processes that serve /metrics). */
export function watchOutbox(db: DataSource | null): void {
  outboxSource = db;
}
