// SMS_PROVIDER=aliyun: Alibaba Cloud SMS (dysmsapi 2017-05-25) SendSms through the official SDK, which
// signs with ACS3-HMAC-SHA256. Aliyun answers business refusals with HTTP 200 and a Code other than 'OK'.
import Dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import type { SmsTemplateIds } from '../config';
import { aliyunClientConfig } from './aliyun-config';
import { SmsProvider, SmsRequest, SmsSendError, SmsSendResult } from './port';
import { templateIdFor } from './templates';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templates: SmsTemplateIds;
  /** Default dysmsapi.aliyuncs.com over HTTPS. */
  endpoint?: string;
  timeoutMs?: number;
}

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun';
  private readonly client: Dysmsapi;

  constructor(private readonly opts: AliyunSmsOptions) {
    this.client = new Dysmsapi(aliyunClientConfig(opts, 'dysmsapi.aliyuncs.com'));
  }

  async send(req: SmsRequest): Promise<SmsSendResult> {
    const request = new SendSmsRequest({
      phoneNumbers: req.phone,
      signName: this.opts.signName,
      templateCode: templateIdFor(this.opts.templates, req),
      templateParam: JSON.stringify(req.params),
    });
    let body;
    try {
      // The SDK's own retries stay off (its default): SmsService retries, and records each attempt.
      const res = await this.client.sendSms(request);
      body = res.body;
    } catch (err) {
      throw fromSdkError(err);
    }
    if (body?.code === 'OK') return { providerMessageId: body.bizId };
    const code = body?.code ?? 'unknown';
    throw new SmsSendError(`aliyun: ${body?.message ?? 'no message'}`, { retryable: businessCodeRetryable(code), code });
  }
}

/**
 * Aliyun's own faults (isp.*) pass; the caller's (isv.*) do not. isv.BUSINESS_LIMIT_CONTROL is the per-number
 * minute/hour/day quota: retrying within the minute only burns another refusal, so it is final here.
 */
function businessCodeRetryable(code: string): boolean {
  return code.startsWith('isp.') && code !== 'isp.RAM_PERMISSION_DENY';
}

function fromSdkError(err: unknown): SmsSendError {
  const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
  if (e?.statusCode === undefined) {
    // Never reached Aliyun or never heard back: timeouts and connection errors may pass.
    return new SmsSendError(`aliyun unreachable: ${e?.message ?? String(err)}`, { retryable: true, code: e?.code ? String(e.code) : 'network', cause: err });
  }
  const code = e.code && e.code !== 'undefined' ? e.code : `http_${e.statusCode}`;
  // API-level throttling (Throttling.User, Throttling.Api) is per second; server errors are Aliyun's.
  const retryable = e.statusCode >= 500 || code.startsWith('Throttling') || code === 'ServiceUnavailable';
  return new SmsSendError(`aliyun: ${e.message ?? code}`, { retryable, code, cause: err });
}
