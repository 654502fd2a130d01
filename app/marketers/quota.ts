// Numbers per key per China day, counted across processes through the store: a scrub reveals one answer
// per number, so the daily count of numbers is what bounds how much of the register a key can probe.
// A refused request still counts what it asked for: a key at its wall stays there until midnight.
import { CHINA_OFFSET_MS, chinaClock } from '../china-time';
import type { Store } from '../store';

const DAY_MS = 86_400_000;

export type QuotaVerdict = { ok: true; remaining: number } | { ok: false; retryAfterSec: number };

export class DailyQuota {
  constructor(
    private readonly store: Store,
    private readonly perDay: number,
  ) {}

  async take(keyId: string, n: number, now = Date.now()): Promise<QuotaVerdict> {
    const { midnightMs } = chinaClock(now);
    const day = Math.floor((midnightMs + CHINA_OFFSET_MS) / DAY_MS);
    const used = await this.store.incrBy(`marketer:quota:${keyId}:${day}`, Math.max(1, n), 2 * DAY_MS);
    if (used <= this.perDay) return { ok: true, remaining: this.perDay - used };
    const midnight = midnightMs + DAY_MS;
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((midnight - now) / 1000)) };
  }
}
