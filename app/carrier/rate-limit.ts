// Per-key request budget, shared by every process through the store, in fixed one-second windows.
//
// A round trip per request would double the store traffic of the hot path (the nonce already needs one),
// so a process leases the budget in blocks: one store.incr claims `block` requests of the window, and
// requests are admitted locally until the lease runs out. A block is granted only when it fits whole
// under the limit, so all processes together never admit more than the limit in a window; they may
// admit up to one unfinished block per claim in flight fewer when traffic stops mid-window. Blocks are
// 1/1000 of the limit (at most 100), so small limits stay exact. A fixed window lets a key send up to
// twice its rate across a window edge: the budget guards against overload, it is not a billing meter.
import type { Store } from '../store';

export type RateVerdict = { ok: true } | { ok: false; retryAfterSec: number };

interface Lease {
  window: number;
  left: number;
  exhausted: boolean;
}

const OK: RateVerdict = { ok: true };

function refusal(window: number, now: number): RateVerdict {
  return { ok: false, retryAfterSec: Math.max(1, Math.ceil(((window + 1) * 1000 - now) / 1000)) };
}

export class CarrierRateLimiter {
  readonly block: number;
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly store: Store,
    private readonly perSecond: number,
    /** Store keys start with it: each API counts its own keys. */
    private readonly prefix = 'carrier:rate',
  ) {
    this.block = Math.max(1, Math.min(100, Math.floor(perSecond / 1000)));
  }

  /** The verdict at once while the lease lasts (most requests: no promise, no microtask); a promise when a block must be claimed. */
  hit(keyId: string, now = Date.now()): RateVerdict | Promise<RateVerdict> {
    const window = Math.floor(now / 1000);
    let lease = this.leases.get(keyId);
    if (!lease || lease.window !== window) {
      lease = { window, left: 0, exhausted: false };
      this.leases.set(keyId, lease);
    }
    if (lease.left > 0) {
      lease.left--;
      return OK;
    }
    if (!lease.exhausted) return this.claim(keyId, lease, now);
    return refusal(window, now);
  }

  private async claim(keyId: string, lease: Lease, now: number): Promise<RateVerdict> {
    const blocks = await this.store.incr(`${this.prefix}:${keyId}:${lease.window}`, 2000);
    if (blocks * this.block <= this.perSecond) {
      lease.left += this.block - 1; // one slot of the block is this request's
      return OK;
    }
    lease.exhausted = true;
    return refusal(lease.window, now);
  }
}
