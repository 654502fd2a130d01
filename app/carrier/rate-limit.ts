// Per-key request budget, shared by every process through the store: fixed one-second windows counted
// with store.incr. A fixed window lets a key burst to twice its rate across a window edge; the budget is
// an overload guard, not a billing meter, so one round trip per request is worth more than exactness.
import type { Store } from '../store';

export type RateVerdict = { ok: true } | { ok: false; retryAfterSec: number };

export class CarrierRateLimiter {
  constructor(
    private readonly store: Store,
    private readonly perSecond: number,
  ) {}

  async hit(keyId: string, now = Date.now()): Promise<RateVerdict> {
    const window = Math.floor(now / 1000);
    const count = await this.store.incr(`carrier:rate:${keyId}:${window}`, 2000);
    if (count <= this.perSecond) return { ok: true };
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(((window + 1) * 1000 - now) / 1000)) };
  }
}
