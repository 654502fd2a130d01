// The SMS port: what the rest of the service asks of "an SMS gateway", whoever runs it.
// Providers translate one request into one gateway call and say whether a failure is worth retrying;
// SmsService owns retries and the record of what happened.

export type SmsPurpose = 'otp' | 'notice';

export interface SmsRequest {
  /** 11-digit mainland mobile number, e.g. 13800138000. */
  phone: string;
  purpose: SmsPurpose;
  /** Logical template name ('otp', 'enabled', 'intercept', 'digest', 'keyword_reply'); template-based gateways map it to their own id. */
  template: string;
  /** Template variables, in the order a positional template (Tencent's {1}, {2}) expects them. */
  params: Record<string, string>;
  /** The full text as the subscriber reads it (copy/); free-text gateways send exactly this. */
  text: string;
}

export interface SmsSendResult {
  providerMessageId?: string;
}

export interface SmsProvider {
  readonly name: string;
  send(req: SmsRequest): Promise<SmsSendResult>;
}

/** A failed send. `retryable` is false when the same request cannot succeed soon (bad number, template, quota, throttled number). */
export class SmsSendError extends Error {
  readonly retryable: boolean;
  readonly code?: string;

  constructor(message: string, opts: { retryable: boolean; code?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SmsSendError';
    this.retryable = opts.retryable;
    this.code = opts.code;
  }
}

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

export function isMainlandMobile(phone: string): boolean {
  return MAINLAND_MOBILE.test(phone);
}
