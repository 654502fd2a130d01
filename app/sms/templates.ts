// Template-based gateways (Aliyun, Tencent) send only pre-approved templates: the logical name a caller
// uses ('otp', 'enabled', …) becomes the gateway's template id here.
import type { SmsTemplateIds } from '../config';
import { SmsRequest, SmsSendError } from './port';

export function templateIdFor(ids: SmsTemplateIds, req: Pick<SmsRequest, 'purpose' | 'template'>): string {
  const id = ids.byName[req.template] ?? (req.purpose === 'otp' ? ids.otp : ids.notice);
  // Not retryable: no amount of waiting makes a missing template appear.
  if (!id) throw new SmsSendError(`no template id configured for '${req.template}' (${req.purpose})`, { retryable: false, code: 'template_unmapped' });
  return id;
}
