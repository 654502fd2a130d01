// The clients every role builds the same way: WeChat (its access token shared through the store), SMS
// (counted for /metrics), the notice channels on top of them, and the decision engine timed for /metrics.
import { deriveKey } from '../privacy/derive-key';
import type { Deps } from '../deps';
import type { ScreenService } from '../carrier/ports';
import type { Decision } from '../carrier/schemas';
import { decisionDuration, decisions, instrumentSms, screenFailOpen } from '../metrics-catalog';
import type { NoticeChannels } from '../notices/channels';
import { publicBase } from '../config';
import { createSmsProvider, SmsService } from '../sms';
import { WechatClient } from '../wechat/api-client';

/**
 * A batch's decisions counted once per distinct (action, reason): a labelled inc() per decision hashes its
 * labels 1,000 times. The engine's decisions are a few dozen shared objects (rules.ts), so they are tallied
 * by identity first (no key built per decision) and merged by (action, reason) once per batch.
 */
function countByReason(ds: readonly Decision[]): void {
  if (ds.length === 1) return void decisions.inc({ action: ds[0].action, reason: ds[0].reason });
  const byDecision = new Map<Decision, number>();
  for (const d of ds) byDecision.set(d, (byDecision.get(d) ?? 0) + 1);
  const tally = new Map<string, { action: string; reason: string; n: number }>();
  for (const [d, n] of byDecision) {
    const key = `${d.action}\n${d.reason}`;
    const t = tally.get(key);
    if (t) t.n += n;
    else tally.set(key, { action: d.action, reason: d.reason, n });
  }
  for (const t of tally.values()) decisions.inc({ action: t.action, reason: t.reason }, t.n);
}

/** The decision engine as the carrier routes see it, timed and counted for /metrics. */
export function measured(engine: ScreenService): ScreenService {
  const timed = async <T extends Decision | Decision[]>(mode: 'single' | 'batch', work: () => Promise<T>): Promise<T> => {
    const end = decisionDuration.startTimer({ mode });
    let answer: T;
    try {
      answer = await work();
    } catch (err) {
      screenFailOpen.inc({ mode });
      throw err;
    }
    end();
    countByReason(Array.isArray(answer) ? answer : [answer as Decision]);
    return answer;
  };
  return {
    screen: (call) => timed('single', () => engine.screen(call)),
    screenBatch: (calls) => timed('batch', () => engine.screenBatch(calls)),
  };
}

export function otpMacKey(dataKey: Buffer): Buffer {
  return deriveKey(dataKey, 'otp');
}

/** The path the embedded simulator's WeChat API lives under on our own server. */
export const SIMULATOR_API_PATH = '/simulator/wechat';

/** WECHAT_API_BASE, or without it the embedded simulator's API on the web server at `publicBaseUrl`. */
export function wechatApiBase(config: Deps['config'], publicBaseUrl: string): string {
  return config.wechat.apiBase ?? `${publicBaseUrl}${SIMULATOR_API_PATH}`;
}

/** The WeChat API client; its access token is shared by every process through the Store. */
export function wechatClientFor(deps: Pick<Deps, 'config' | 'store' | 'log'>, publicBaseUrl: string, opts: { timeoutMs?: number } = {}): WechatClient {
  const { config } = deps;
  return new WechatClient({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, apiBase: wechatApiBase(config, publicBaseUrl), store: deps.store, log: deps.log, timeoutMs: opts.timeoutMs });
}

/** SMS through the configured provider, counted and timed for /metrics. */
export function smsServiceFor(deps: Deps): SmsService {
  return instrumentSms(new SmsService(deps, createSmsProvider(deps.config, { log: deps.log }), { attempts: deps.config.sms.retries }));
}

export interface ChannelOptions {
  /** Per WeChat HTTP exchange; a template send that takes longer is recorded as uncertain. */
  wechatTimeoutMs?: number;
}

/** The channels the notice workers send through: the same WeChat and SMS clients the web side builds. */
export function noticeChannels(deps: Deps, opts: ChannelOptions = {}): NoticeChannels {
  return { wechat: wechatClientFor(deps, publicBase(deps.config), { timeoutMs: opts.wechatTimeoutMs }), sms: smsServiceFor(deps) };
}
