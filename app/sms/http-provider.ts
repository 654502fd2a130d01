// SMS_PROVIDER=http: the JSON gateway of docs/interfaces.md. Any 2xx is delivered; a 4xx other than 408/429 means
// the gateway refused this request for good; everything else (5xx, 408, 429, network, timeout) may pass later.
import { SmsProvider, SmsRequest, SmsSendError, SmsSendResult } from './port';

export interface HttpSmsOptions {
  /** Per attempt; the gateway gets 5 s by default. */
  timeoutMs?: number;
}

export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  private readonly timeoutMs: number;

  constructor(
    private readonly url: string,
    opts: HttpSmsOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  async send(req: SmsRequest): Promise<SmsSendResult> {
    const body = JSON.stringify({ phone: req.phone, purpose: req.purpose, template: req.template, params: req.params, text: req.text });
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new SmsSendError(timedOut ? `gateway did not answer within ${this.timeoutMs} ms` : `gateway unreachable: ${(err as Error).message}`, {
        retryable: true,
        code: timedOut ? 'timeout' : 'network',
        cause: err,
      });
    }
    const answer = await res.text().catch(() => '');
    if (res.ok) return { providerMessageId: messageIdIn(answer) };
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429 || res.status < 400;
    throw new SmsSendError(`gateway answered ${res.status}${answer ? `: ${answer.slice(0, 120)}` : ''}`, { retryable, code: `http_${res.status}` });
  }
}

/** Gateways are free to answer anything on success; an `id` or `messageId` in a JSON answer is kept. */
function messageIdIn(answer: string): string | undefined {
  try {
    const parsed = JSON.parse(answer) as Record<string, unknown>;
    const id = parsed?.id ?? parsed?.messageId;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}
