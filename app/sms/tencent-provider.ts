// SMS_PROVIDER=tencent: Tencent Cloud SMS (API 2021-01-11) SendSms through the official SDK, which signs
// with TC3-HMAC-SHA256. A request can be accepted while the message is refused: the per-number verdict is
// SendStatusSet[0].Code, 'Ok' when delivered to the carrier.
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type { SmsTemplateIds } from '../config';
import { splitEndpoint } from './endpoint';
import { SmsProvider, SmsRequest, SmsSendError, SmsSendResult } from './port';
import { templateIdFor } from './templates';

const Client = sms.v20210111.Client;

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId of the SMS application. */
  appId: string;
  signName: string;
  templates: SmsTemplateIds;
  region?: string;
  /** Default sms.tencentcloudapi.com over HTTPS. */
  endpoint?: string;
  timeoutMs?: number;
}

export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent';
  private readonly client: InstanceType<typeof Client>;

  constructor(private readonly opts: TencentSmsOptions) {
    const { protocol, host } = splitEndpoint(opts.endpoint ?? 'sms.tencentcloudapi.com');
    this.client = new Client({
      credential: { secretId: opts.secretId, secretKey: opts.secretKey },
      region: opts.region ?? 'ap-guangzhou',
      profile: { httpProfile: { endpoint: host, protocol: `${protocol}://`, reqMethod: 'POST', reqTimeout: Math.max(1, Math.ceil((opts.timeoutMs ?? 5000) / 1000)) } },
    });
  }

  async send(req: SmsRequest): Promise<SmsSendResult> {
    const templateId = templateIdFor(this.opts.templates, req);
    let res;
    try {
      res = await this.client.SendSms({
        PhoneNumberSet: [`+86${req.phone}`],
        SmsSdkAppId: this.opts.appId,
        SignName: this.opts.signName,
        TemplateId: templateId,
        // Tencent templates are positional ({1}, {2}, …): params go in the order the caller wrote them.
        TemplateParamSet: Object.values(req.params),
      });
    } catch (err) {
      throw fromSdkError(err);
    }
    const status = res.SendStatusSet?.[0];
    if (status?.Code === 'Ok') return { providerMessageId: status.SerialNo };
    const code = status?.Code ?? 'NoSendStatus';
    throw new SmsSendError(`tencent: ${status?.Message ?? 'no status for the number'}`, { retryable: codeRetryable(code), code });
  }
}

/** Tencent's transient faults; LimitExceeded.PhoneNumber* (the per-number 30 s / hour / day quota) is final. */
function codeRetryable(code: string): boolean {
  if (code === 'RequestLimitExceeded' || code === 'InternalError' || code === 'ServiceUnavailable') return true;
  return ['InternalError.Timeout', 'InternalError.SendAndRecvFail', 'InternalError.OtherError', 'InternalError.UnknownError'].includes(code);
}

function fromSdkError(err: unknown): SmsSendError {
  const e = err as { code?: string; httpCode?: number; message?: string };
  if (e?.httpCode !== undefined) {
    return new SmsSendError(`tencent http ${e.httpCode}: ${e.message ?? ''}`.trim(), { retryable: e.httpCode >= 500 || e.httpCode === 429, code: `http_${e.httpCode}`, cause: err });
  }
  if (e?.code) return new SmsSendError(`tencent: ${e.message ?? e.code}`, { retryable: codeRetryable(e.code), code: e.code, cause: err });
  // No HTTP status and no API code: the request never got an answer (network, timeout).
  return new SmsSendError(`tencent unreachable: ${e?.message ?? String(err)}`, { retryable: true, code: 'network', cause: err });
}
