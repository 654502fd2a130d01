// SMS one-time codes: 6 CSPRNG digits, stored only as a keyed hash, 5-minute life, 5 tries then locked,
// one resend a minute, daily caps per phone, per subscriber and per IP. State lives in the Store so every
// process sees the same tries and caps.
import crypto from 'node:crypto';
import type { Store } from '../store';

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_TRIES = 5;
export const OTP_RESEND_MS = 60_000;
export const OTP_DAILY = { phone: 10, subscriber: 10, ip: 30 } as const;
const DAY_MS = 24 * 60 * 60_000;

export type RequestRefusal = 'cooldown' | 'daily_phone' | 'daily_subscriber' | 'daily_ip';
export type VerifyFailure = 'none' | 'wrong' | 'locked';

interface PendingCode {
  phoneHash: string;
  phoneCipher: string;
  codeMac: string;
  nonce: string;
}

export interface OtpSender {
  (phone: string, code: string): Promise<unknown>;
}

export class OtpService {
  constructor(
    private readonly store: Store,
    private readonly macKey: Buffer,
    private readonly sendCode: OtpSender,
  ) {}

  private mac(code: string, nonce: string, phoneHash: string): string {
    return crypto.createHmac('sha256', this.macKey).update(`${nonce}:${phoneHash}:${code}`).digest('hex');
  }

  /**
   * Issues a code for `phone` to `subscriberKey` (the openid or SMS sender that will type it back).
   * Codes are per subscriber: a code sent to a phone cannot be typed in by anyone else.
   */
  async request(p: { subscriberKey: string; phone: string; phoneHash: string; phoneCipher: string; ip?: string }): Promise<{ ok: true } | { ok: false; reason: RequestRefusal; retryInMs?: number }> {
    // The cooldown is claimed first, so two racing requests cannot both pass it.
    const claimed = await this.store.set(`otp:cool:${p.phoneHash}`, '1', { nx: true, ttlMs: OTP_RESEND_MS });
    if (!claimed) return { ok: false, reason: 'cooldown', retryInMs: Math.max(0, await this.store.ttl(`otp:cool:${p.phoneHash}`)) };
    const day = new Date().toISOString().slice(0, 10);
    const caps: [string, number, RequestRefusal][] = [
      [`otp:day:${day}:p:${p.phoneHash}`, OTP_DAILY.phone, 'daily_phone'],
      [`otp:day:${day}:s:${p.subscriberKey}`, OTP_DAILY.subscriber, 'daily_subscriber'],
    ];
    if (p.ip) caps.push([`otp:day:${day}:ip:${p.ip}`, OTP_DAILY.ip, 'daily_ip']);
    for (const [key, cap, reason] of caps) {
      if ((await this.store.incr(key, DAY_MS)) > cap) return { ok: false, reason };
    }
    const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    const nonce = crypto.randomBytes(8).toString('hex');
    const pending: PendingCode = { phoneHash: p.phoneHash, phoneCipher: p.phoneCipher, codeMac: this.mac(code, nonce, p.phoneHash), nonce };
    await this.store.set(`otp:code:${p.subscriberKey}`, JSON.stringify(pending), { ttlMs: OTP_TTL_MS });
    await this.store.del(`otp:tries:${p.subscriberKey}`);
    await this.store.del(`otp:locked:${p.subscriberKey}`);
    await this.sendCode(p.phone, code);
    return { ok: true };
  }

  /** The code is spent; for its remaining life a typed code is answered "locked", not "not understood". */
  private async lock(subscriberKey: string, key: string, raw: string): Promise<void> {
    await this.store.compareAndDelete(key, raw);
    await this.store.set(`otp:locked:${subscriberKey}`, '1', { ttlMs: OTP_TTL_MS });
  }

  /** Whether this subscriber's last code was locked by wrong tries (and no new one was asked for since). */
  async locked(subscriberKey: string): Promise<boolean> {
    return (await this.store.get(`otp:locked:${subscriberKey}`)) !== null;
  }

  /** Whether a code is outstanding for this subscriber (a bare 6-digit message is then read as the code). */
  async pending(subscriberKey: string): Promise<boolean> {
    return (await this.store.get(`otp:code:${subscriberKey}`)) !== null;
  }

  /** Checks a typed code. On success the code is spent and the phone hash it was issued for is returned. */
  async verify(subscriberKey: string, code: string): Promise<{ ok: true; phoneHash: string; phoneCipher: string } | { ok: false; reason: VerifyFailure; triesLeft?: number }> {
    const key = `otp:code:${subscriberKey}`;
    const raw = await this.store.get(key);
    if (!raw) return { ok: false, reason: 'none' };
    const tries = await this.store.incr(`otp:tries:${subscriberKey}`, OTP_TTL_MS);
    if (tries > OTP_MAX_TRIES) {
      await this.lock(subscriberKey, key, raw);
      return { ok: false, reason: 'locked' };
    }
    const pending = JSON.parse(raw) as PendingCode;
    const expected = Buffer.from(pending.codeMac, 'hex');
    const given = Buffer.from(this.mac(/^\d{6}$/.test(code) ? code : 'x', pending.nonce, pending.phoneHash), 'hex');
    if (!crypto.timingSafeEqual(expected, given)) {
      if (tries >= OTP_MAX_TRIES) {
        await this.lock(subscriberKey, key, raw);
        return { ok: false, reason: 'locked' };
      }
      return { ok: false, reason: 'wrong', triesLeft: OTP_MAX_TRIES - tries };
    }
    // Single use even under a race: only the request that deletes the pending code wins.
    if (!(await this.store.compareAndDelete(key, raw))) return { ok: false, reason: 'none' };
    await this.store.del(`otp:tries:${subscriberKey}`);
    return { ok: true, phoneHash: pending.phoneHash, phoneCipher: pending.phoneCipher };
  }
}
