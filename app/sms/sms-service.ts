// Sending one SMS as the rest of the service sees it: a row in sms_message from the first moment (pending),
// the provider tried with retries for transient failures, and the outcome written back (sent / failed).
// The number is stored as the vault's lookup hash and its mask, never in clear.
import { SmsMessage } from '../../entities/SmsMessage';
import type { Deps } from '../deps';
import { maskPhone, maskPhonesInText } from '../privacy/mask';
import { backoffDelay } from './backoff';
import { isMainlandMobile, SmsProvider, SmsRequest, SmsSendError } from './port';

export interface SmsServiceOptions {
  /** Attempts per message, the first included. Default: config.sms.retries (3). */
  attempts?: number;
  /** First retry waits about this long, doubling after. Default 200 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SmsOutcome {
  /** sms_message.id */
  id: number;
  status: 'sent' | 'failed';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SmsService {
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly deps: Deps,
    readonly provider: SmsProvider,
    opts: SmsServiceOptions = {},
  ) {
    this.attempts = Math.max(1, opts.attempts ?? deps.config.sms.retries ?? 3);
    this.baseDelayMs = opts.baseDelayMs ?? 200;
    this.maxDelayMs = opts.maxDelayMs ?? 5000;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  async send(req: SmsRequest): Promise<SmsOutcome> {
    // A caller bug, not a delivery failure: nothing is recorded for a number that is not one.
    if (!isMainlandMobile(req.phone)) throw new TypeError(`SmsService.send: not an 11-digit mainland mobile number (${maskPhone(req.phone)})`);
    const repo = this.deps.db.getRepository(SmsMessage);
    const masked = maskPhone(req.phone);
    const row = await repo.save(
      repo.create({
        phoneHash: this.deps.vault.lookupHash(req.phone),
        phoneMasked: masked,
        purpose: req.purpose,
        template: req.template.slice(0, 64),
        provider: this.provider.name,
        status: 'pending',
        attempts: 0,
        lastError: null,
        providerMessageId: null,
        createdAt: new Date(),
        finishedAt: null,
      }),
    );

    let attempts = 0;
    let lastError: string | null = null;
    let providerMessageId: string | null = null;
    let sent = false;
    while (attempts < this.attempts) {
      attempts++;
      try {
        const result = await this.provider.send(req);
        providerMessageId = result.providerMessageId?.slice(0, 64) ?? null;
        sent = true;
        break;
      } catch (err) {
        // Anything that is not an SmsSendError is a provider surprise; treat it like a network fault.
        const retryable = err instanceof SmsSendError ? err.retryable : true;
        const code = err instanceof SmsSendError && err.code ? err.code : 'error';
        lastError = maskPhonesInText(`${code}: ${err instanceof Error ? err.message : String(err)}`).slice(0, 255);
        this.deps.log.warn({ sms: row.id, to: masked, provider: this.provider.name, attempt: attempts, code, retryable }, 'sms attempt failed');
        if (!retryable || attempts >= this.attempts) break;
        await this.sleep(backoffDelay(attempts, this.baseDelayMs, this.maxDelayMs));
      }
    }

    const status = sent ? 'sent' : 'failed';
    try {
      await repo.update(row.id, { status, attempts, lastError, providerMessageId, finishedAt: new Date() });
    } catch (err) {
      // The message went (or did not) either way; a retry by the caller would double-send an OTP.
      this.deps.log.error({ sms: row.id, err }, 'sms outcome could not be recorded');
    }
    if (sent) this.deps.log.info({ sms: row.id, to: masked, provider: this.provider.name, purpose: req.purpose, attempts }, 'sms sent');
    else this.deps.log.warn({ sms: row.id, to: masked, provider: this.provider.name, purpose: req.purpose, attempts, lastError }, 'sms failed');
    return { id: row.id, status };
  }
}
