// Notices as SMS to the bound phone: the last channel, where WeChat notices go when WeChat cannot reach
// the subscriber and they allow SMS.
import type { SmsRequest } from '../../sms/port';
import { shortError } from '../verdict';
import type { NoticeChannelType } from './channel';

/** SmsService.send, or anything shaped like it (it retries transient gateway failures itself). */
export interface NoticeSms {
  send(req: SmsRequest): Promise<{ id: number; status: 'sent' | 'failed' }>;
}

export const smsChannel: NoticeChannelType<NoticeSms, 'sms'> = {
  name: 'sms',
  wanted: (s) => s.sms,
  // Every subscriber a notice is for has a bound phone when it is scheduled; blocker() checks it is still there.
  reaches: () => true,
  blocker(n, ctx, configured) {
    if (!ctx.phones.get(n.subscriberId)) return 'no bound phone';
    if (!configured) return 'sms not configured';
    return null;
  },
  sharedRate: false,
  async send(sms, job) {
    const p = job.plan;
    try {
      const r = await sms.send({ phone: p.phone!, purpose: 'notice', ...p.rendered.sms });
      return r.status === 'sent' ? { result: 'sent', smsMessageId: r.id } : { result: 'failed', error: `sms_message ${r.id} failed` };
    } catch (err) {
      return { result: 'failed', error: shortError(`sms: ${(err as Error).message}`) };
    }
  },
};
