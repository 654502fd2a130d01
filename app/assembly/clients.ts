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

/** The decision engine as the carrier routes see it, timed and counted for /metrics. */
export function measured(engine: ScreenService): ScreenService {
  const timed = async (mode: 'single' | 'batch', run: () => Promise<Decision[]>): Promise<Decision[]> => {
    const end = decisionDuration.startTimer({ mode });
    const ds = await run().catch((err) => {
      screenFailOpen.inc({ mode });
      throw err;
    });
    end();
    for (const d of ds) decisions.inc({ action: d.action, reason: d.reason });
    return ds;
  };
  return {
    screen: async (call) => (await timed('single', async () => [await engine.screen(call)]))[0],
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
