// The two ways a notice reaches a subscriber, as the worker needs them, and what each failure means for
// the notice. WeChat's answers are sorted here once; the worker only acts on the verdict.
import type { SmsRequest } from '../sms/port';
import { isOutcomeUncertain, isRateLimited, isUserBlocked, SYSTEM_BUSY, WechatApiError, WechatTransportError } from '../wechat/api-errors';

/** WechatClient.sendTemplate, or anything shaped like it. */
export interface TemplateSender {
  sendTemplate(m: { openid: string; templateId: string; url?: string; data: Record<string, { value: string }> }): Promise<{ msgid: string }>;
}

/** SmsService.send, or anything shaped like it (it retries transient gateway failures itself). */
export interface NoticeSms {
  send(req: SmsRequest): Promise<{ id: number; status: 'sent' | 'failed' }>;
}

export interface NoticeChannels {
  wechat?: TemplateSender | null;
  sms?: NoticeSms | null;
}

export type Verdict =
  | { result: 'sent'; msgid?: string; smsMessageId?: number }
  /** Did not take effect, worth another try later: 45009, -1, HTTP 5xx, no connection. */
  | { result: 'retry'; error: string; rateLimited: boolean }
  /** May have taken effect: a timeout after the request left. Recorded, never resent. */
  | { result: 'uncertain'; error: string }
  /** 43004 unfollowed / 43101 refused: no WeChat push will reach this subscriber. */
  | { result: 'blocked'; error: string }
  /** Will not succeed by trying again (bad template, bad openid, SMS gateway gave up). */
  | { result: 'failed'; error: string };

const short = (s: string) => s.slice(0, 240);

export function wechatVerdict(err: unknown): Verdict {
  if (isOutcomeUncertain(err)) return { result: 'uncertain', error: short(String((err as Error).message)) };
  if (isUserBlocked(err)) return { result: 'blocked', error: `${(err as WechatApiError).errcode}` };
  if (err instanceof WechatApiError) {
    const code = err.errcode;
    if (isRateLimited(err) || code === 45011 || code === SYSTEM_BUSY) return { result: 'retry', error: `${code}`, rateLimited: code !== SYSTEM_BUSY };
    return { result: 'failed', error: short(`${code} ${err.errmsg}`) };
  }
  // The exchange broke before WeChat answered and the request cannot have taken effect (HTTP 5xx, no connection).
  if (err instanceof WechatTransportError) return { result: 'retry', error: short(err.message), rateLimited: false };
  // Token trouble or a bug: nothing reached WeChat's send path; worth another try later.
  return { result: 'retry', error: short(String((err as Error)?.message ?? err)), rateLimited: false };
}

export async function sendWechat(sender: TemplateSender, m: Parameters<TemplateSender['sendTemplate']>[0]): Promise<Verdict> {
  try {
    const { msgid } = await sender.sendTemplate(m);
    return { result: 'sent', msgid };
  } catch (err) {
    return wechatVerdict(err);
  }
}

export async function sendSms(sms: NoticeSms, req: SmsRequest): Promise<Verdict> {
  try {
    const r = await sms.send(req);
    return r.status === 'sent' ? { result: 'sent', smsMessageId: r.id } : { result: 'failed', error: `sms_message ${r.id} failed` };
  } catch (err) {
    return { result: 'failed', error: short(`sms: ${(err as Error).message}`) };
  }
}
