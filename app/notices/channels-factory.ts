// The real channels for a worker process: WechatClient (token shared through the Store) and SmsService on
// the configured SMS provider.
import { publicBase } from '../config';
import type { Deps } from '../deps';
import { createSmsProvider } from '../sms';
import { SmsService } from '../sms/sms-service';
import { WechatClient } from '../wechat/api-client';
import type { NoticeChannels } from './channels';

export interface ChannelOptions {
  /** Per WeChat HTTP exchange; a template send that takes longer is recorded as uncertain. */
  wechatTimeoutMs?: number;
}

export function createNoticeChannels(deps: Deps, opts: ChannelOptions = {}): NoticeChannels {
  const c = deps.config;
  // Without WECHAT_API_BASE the embedded simulator answers, mounted on the web server.
  const apiBase = c.wechat.apiBase ?? `${publicBase(c)}/simulator/wechat`;
  const wechat = new WechatClient({ appId: c.wechat.appId, appSecret: c.wechat.appSecret, apiBase, store: deps.store, log: deps.log, timeoutMs: opts.wechatTimeoutMs });
  const sms = new SmsService(deps, createSmsProvider(c, { log: deps.log }));
  return { wechat, sms };
}
