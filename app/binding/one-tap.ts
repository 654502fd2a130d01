// 本机号码一键登录: the subscriber's phone, proven by the carrier's number authentication instead of an SMS
// code. The page gets SDK credentials (start), the provider's JS-SDK shows the masked number and takes the
// subscriber's confirmation, and the one-time token it returns is exchanged here for the number (verify).
// What the number then binds to goes through the same BindingService entry as a verified OTP.
//
// Every exchange costs money at the provider and reveals a number, so this side refuses cheaply first:
// tokens not shaped like tokens, a token this server has already exchanged (kept as a hash for longer
// than any carrier's token lives), and more than a handful of attempts per subscriber per day.
import crypto from 'node:crypto';
import type { Logger } from '../log';
import { numberAuthVerified, numberAuthFailures } from '../number-auth/metrics';
import { NumberAuthError, TOKEN_SHAPE, type NumberAuthProvider, type SdkCredentials } from '../number-auth/port';
import type { PhoneVault } from '../privacy/phone-vault';
import { maskPhone } from '../privacy/mask';
import type { Store } from '../store';
import { parseMainlandMobile } from './mobile';

export const ONE_TAP_DAILY = { start: 30, verify: 10 } as const;
/** Longer than the longest-lived carrier token (Unicom, 30 minutes). */
const SPENT_TTL_MS = 35 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

export interface ProvenPhone {
  phone: string;
  phoneHash: string;
  phoneCipher: string;
}

export class OneTapService {
  constructor(
    private readonly store: Store,
    private readonly provider: NumberAuthProvider,
    private readonly vault: PhoneVault,
    /** The bind page as registered with the provider: Url `https://host/`, Origin `https://host`. */
    private readonly page: { pageUrl: string; origin: string },
    private readonly log: Logger,
  ) {}

  /** Where the page loads the provider's JS-SDK from. */
  get sdkUrl(): string {
    return this.provider.sdkUrl;
  }

  private fail(step: 'sdk_credentials' | 'exchange', err: NumberAuthError): NumberAuthError {
    numberAuthFailures.inc({ provider: this.provider.name, step, reason: err.reason });
    // The operator's to fix, and the provider's outages: worth a line. The subscriber's own failures are counted only.
    if (err.reason === 'misconfigured') this.log.error({ code: err.code, provider: this.provider.name, step }, 'number authentication refuses our credentials or scheme');
    else if (err.reason === 'unavailable') this.log.warn({ code: err.code, provider: this.provider.name, step }, 'number authentication unavailable');
    return err;
  }

  private async underCap(kind: keyof typeof ONE_TAP_DAILY, subscriberKey: string): Promise<boolean> {
    const day = new Date().toISOString().slice(0, 10);
    return (await this.store.incr(`onetap:day:${day}:${kind}:${subscriberKey}`, DAY_MS)) <= ONE_TAP_DAILY[kind];
  }

  /** Credentials for the page's JS-SDK, and where to load it from. */
  async start(subscriberKey: string): Promise<SdkCredentials & { sdkUrl: string }> {
    if (!(await this.underCap('start', subscriberKey))) throw this.fail('sdk_credentials', new NumberAuthError('daily_cap'));
    try {
      const creds = await this.provider.sdkCredentials({ ...this.page, subscriberKey });
      return { ...creds, sdkUrl: this.provider.sdkUrl };
    } catch (e) {
      throw this.fail('sdk_credentials', e instanceof NumberAuthError ? e : new NumberAuthError('unavailable', 'exception', { cause: e }));
    }
  }

  /** Exchanges the JS-SDK's token for the number it was issued for. Throws NumberAuthError. */
  async verify(subscriberKey: string, token: unknown): Promise<ProvenPhone> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw this.fail('exchange', new NumberAuthError('token_garbage'));
    const spentKey = `onetap:spent:${crypto.createHash('sha256').update(token).digest('base64url')}`;
    // Claimed before the exchange, so two racing requests with one token cannot both reach the provider.
    if (!(await this.store.set(spentKey, subscriberKey, { nx: true, ttlMs: SPENT_TTL_MS }))) throw this.fail('exchange', new NumberAuthError('token_reused'));
    if (!(await this.underCap('verify', subscriberKey))) {
      await this.store.compareAndDelete(spentKey, subscriberKey);
      throw this.fail('exchange', new NumberAuthError('daily_cap'));
    }
    let raw: string;
    try {
      raw = await this.provider.phoneWithToken({ token, subscriberKey });
    } catch (e) {
      const err = e instanceof NumberAuthError ? e : new NumberAuthError('unavailable', 'exception', { cause: e });
      // Never answered: the token may still be good at the provider, so the subscriber may try it again.
      if (err.reason === 'unavailable') await this.store.compareAndDelete(spentKey, subscriberKey);
      throw this.fail('exchange', err);
    }
    const phone = parseMainlandMobile(raw);
    if (!phone) throw this.fail('exchange', new NumberAuthError('not_mobile'));
    numberAuthVerified.inc({ provider: this.provider.name });
    this.log.info({ provider: this.provider.name, phone: maskPhone(phone) }, 'number authentication gave a phone');
    return { phone, phoneHash: this.vault.lookupHash(phone), phoneCipher: this.vault.encrypt(phone) };
  }
}
