// SMS one-time codes: 6 CSPRNG digits, stored only as a keyed hash, 5-minute life, 5 tries then locked,
// one resend a minute, daily caps per phone, per subscriber and per IP. State lives in the Store so every
// process sees the same tries and caps.
//
// Order matters: the requester's own caps (subscriber, IP) are taken first, and only when they pass does
// anything about the phone move (its cooldown, its daily counter). Otherwise a subscriber over its cap
// could lock anyone's phone out of binding without an SMS ever going out. Every count is a reservation
// that is handed back when the request is refused later on or the SMS is not sent, so the caps count
// SMS actually sent.
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

/** Sends the code; resolves false (or throws) when the SMS did not go out. */
export interface OtpSender {
  (phone: string, code: string): Promise<boolean | void>;
}

interface Reservation {
  key: string;
}

export class OtpService {
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly macKey: Buffer,
    private readonly sendCode: OtpSender,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Counts one against `key`; refused (and handed back at once) past `cap`. */
  private async reserve(key: string, cap: number): Promise<Reservation | null> {
    if ((await this.store.incr(key, DAY_MS)) <= cap) return { key };
    await this.release([{ key }]);
    return null;
  }

  private async release(taken: Reservation[]): Promise<void> {
    for (const r of taken) await this.store.incrBy(r.key, -1, DAY_MS);
  }

  /** Resolves when every code handed to the SMS sender has been sent or given up (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.deliveries.size) await Promise.all([...this.deliveries]);
  }

  private mac(code: string, nonce: string, phoneHash: string): string {
    return crypto.createHmac('sha256', this.macKey).update(`${nonce}:${phoneHash}:${code}`).digest('hex');
  }

  /**
   * Issues a code for `phone` to `subscriberKey` (the openid or SMS sender that will type it back).
   * Codes are per subscriber: a code sent to a phone cannot be typed in by anyone else.
   */
  async request(p: { subscriberKey: string; phone: string; phoneHash: string; phoneCipher: string; ip?: string }): Promise<{ ok: true } | { ok: false; reason: RequestRefusal; retryInMs?: number }> {
    const day = new Date().toISOString().slice(0, 10);
    const taken: Reservation[] = [];
    // The requester's own caps first: nothing about the phone has moved if one of them refuses.
    const own: [string, number, RequestRefusal][] = [[`otp:day:${day}:s:${p.subscriberKey}`, OTP_DAILY.subscriber, 'daily_subscriber']];
    if (p.ip) own.push([`otp:day:${day}:ip:${p.ip}`, OTP_DAILY.ip, 'daily_ip']);
    for (const [key, cap, reason] of own) {
      const r = await this.reserve(key, cap);
      if (!r) {
        await this.release(taken);
        return { ok: false, reason };
      }
      taken.push(r);
    }
    // The cooldown is claimed before the phone's counter, so two racing requests cannot both pass it.
    const coolKey = `otp:cool:${p.phoneHash}`;
    const coolToken = crypto.randomBytes(8).toString('hex');
    if (!(await this.store.set(coolKey, coolToken, { nx: true, ttlMs: OTP_RESEND_MS }))) {
      await this.release(taken);
      return { ok: false, reason: 'cooldown', retryInMs: Math.max(0, await this.store.ttl(coolKey)) };
    }
    const phoneDay = await this.reserve(`otp:day:${day}:p:${p.phoneHash}`, OTP_DAILY.phone);
    if (!phoneDay) {
      await this.release(taken);
      await this.store.compareAndDelete(coolKey, coolToken);
      return { ok: false, reason: 'daily_phone' };
    }
    taken.push(phoneDay);
    const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    const nonce = crypto.randomBytes(8).toString('hex');
    const pending: PendingCode = { phoneHash: p.phoneHash, phoneCipher: p.phoneCipher, codeMac: this.mac(code, nonce, p.phoneHash), nonce };
    const codeKey = `otp:code:${p.subscriberKey}`;
    const pendingRaw = JSON.stringify(pending);
    await this.store.set(codeKey, pendingRaw, { ttlMs: OTP_TTL_MS });
    await this.store.del(`otp:tries:${p.subscriberKey}`);
    await this.store.del(`otp:locked:${p.subscriberKey}`);
    // The SMS goes out in the background (the chat answers at once); a code that never left is not counted,
    // does not hold the phone's cooldown, and cannot be typed in.
    const delivery = (async () => {
      let sent = false;
      try {
        sent = (await this.sendCode(p.phone, code)) !== false;
      } catch (err) {
        this.onError(err);
      }
      if (sent) return;
      await this.release(taken);
      await this.store.compareAndDelete(coolKey, coolToken);
      await this.store.compareAndDelete(codeKey, pendingRaw);
    })()
      .catch((err) => this.onError(err))
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
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
