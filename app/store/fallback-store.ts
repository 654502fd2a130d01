// Fail open, for the few uses that have a safe local answer while Redis is away: the carrier nonce window,
// its rate budget and the WeChat retry de-duplication. Each command goes to Redis with the caller's short
// deadline; when Redis does not answer in time (or is known down) the process-local store answers
// instead, and the fallback is counted and logged (at most once per 10 s per use).
//
// Nothing claimed locally is forgotten: writes made locally are written back to Redis once it answers
// again (an NX claim stays NX, so Redis keeps whatever another process wrote meanwhile), and a local key
// shadows Redis until then, so a nonce used here during the outage stays used here and, once written
// back, everywhere. (A nonce claimed in Redis before an outage is not known locally: during the outage
// its replay to another process cannot be refused. That is the price of failing open. A replay to this
// process while the first claim is still on its way to Redis is refused, see `claiming`.) Counters (the rate budget) are not written back: a local bucket only ever spends this
// process's own share of the window.
import type { Logger } from '../log';
import { LogThrottle } from '../log-throttle';
import { MemoryStore } from './memory-store';
import { storeFallbackPending, storeFallbacks } from './metrics';
import type { CallOptions, SetOptions, Store } from './store';

export interface FallbackOptions {
  /** Names the use in metrics and the log: carrier, wechat_dedupe… */
  use: string;
  /** The deadline of each command sent to Redis. */
  timeoutMs: number;
  log?: Pick<Logger, 'warn' | 'info'>;
  /** How often pending local writes are offered back to Redis. */
  writeBackEveryMs?: number;
}

interface Journalled {
  value: string;
  nx: boolean;
  expiresAt: number; // 0: never
}

export class FallbackStore implements Store {
  readonly kind: Store['kind'];
  private readonly local = new MemoryStore();
  /** Keys written locally while Redis was away, to be written back. */
  private readonly journal = new Map<string, Journalled>();
  /**
   * NX claims sent to Redis and not answered yet. A second claim of the same key while the first is in
   * flight is a replay inside this process: it is refused at once, because should Redis answer the first
   * in time and miss the second's deadline, the local window (which knows nothing of the first) would
   * admit the same nonce twice.
   */
  private readonly claiming = new Set<string>();
  private readonly call: CallOptions;
  private writeBack?: NodeJS.Timeout;
  private flushing = false;
  private readonly logThrottle = new LogThrottle();

  constructor(
    private readonly primary: Store,
    private readonly opts: FallbackOptions,
  ) {
    this.kind = primary.kind;
    this.call = { timeoutMs: opts.timeoutMs };
  }

  /** Wraps `store` unless it is already process-local (nothing to fall back from). */
  static around(store: Store, opts: FallbackOptions): Store {
    return store.kind === 'memory' ? store : new FallbackStore(store, opts);
  }

  private fellBack(op: string, err: unknown): void {
    storeFallbacks.inc({ use: this.opts.use, op });
    const fallbacks = this.logThrottle.hit();
    if (fallbacks) this.opts.log?.warn({ use: this.opts.use, fallbacks, cause: (err as Error)?.message }, 'redis did not answer in time: answered from the process-local fallback');
  }

  private remember(key: string, value: string, opts: SetOptions): void {
    this.journal.set(key, { value, nx: !!opts.nx, expiresAt: opts.ttlMs ? Date.now() + opts.ttlMs : 0 });
    storeFallbackPending.set({ use: this.opts.use }, this.journal.size);
    this.writeBack ??= setInterval(() => void this.flush(), this.opts.writeBackEveryMs ?? 250).unref();
  }

  private forget(key: string): void {
    if (this.journal.delete(key)) storeFallbackPending.set({ use: this.opts.use }, this.journal.size);
  }

  /** Offers every pending local write to Redis; true when none is left. */
  async flush(): Promise<boolean> {
    if (this.flushing) return false;
    this.flushing = true;
    try {
      const now = Date.now();
      for (const [key, j] of this.journal) {
        const ttlMs = j.expiresAt ? j.expiresAt - now : 0;
        if (j.expiresAt && ttlMs <= 0) {
          this.forget(key);
          await this.local.del(key);
          continue;
        }
        try {
          await this.primary.set(key, j.value, { nx: j.nx, ttlMs: ttlMs || undefined });
        } catch {
          return false; // still away: try again on the next tick
        }
        // Written (or, for NX, Redis already held a claim): Redis is the truth again for this key. A claim
        // stays known here until it expires too, so that should Redis miss a deadline again, this process
        // still refuses its own nonce instead of admitting it a second time from an empty local window.
        if (this.journal.get(key) === j) {
          this.forget(key);
          if (!j.nx) await this.local.del(key);
        }
      }
      if (this.journal.size === 0 && this.writeBack) {
        clearInterval(this.writeBack);
        this.writeBack = undefined;
      }
      return this.journal.size === 0;
    } finally {
      this.flushing = false;
    }
  }

  /** Local writes shadow Redis while journalled; with nothing pending, Redis alone answers (the hot path). */
  private async mine(key: string): Promise<string | null> {
    return this.journal.size ? this.local.get(key) : null;
  }

  async get(key: string) {
    const mine = await this.mine(key);
    if (mine !== null) return mine;
    try {
      return await this.primary.get(key, this.call);
    } catch (err) {
      this.fellBack('get', err);
      return this.local.get(key);
    }
  }

  async set(key: string, value: string, opts: SetOptions = {}) {
    if (opts.nx) {
      if (this.claiming.has(key)) return false;
      this.claiming.add(key);
    }
    try {
      // With nothing journalled (the hot path) there is no local claim to look up, and no reason to wait a tick for one.
      if (opts.nx && this.journal.size && (await this.local.get(key)) !== null) return false;
      const ok = await this.primary.set(key, value, { ...opts, timeoutMs: this.opts.timeoutMs });
      if (ok && !opts.nx) {
        // Redis holds the newer value: no local copy may answer for it later.
        this.forget(key);
        await this.local.del(key);
      }
      return ok;
    } catch (err) {
      this.fellBack('set', err);
      const ok = await this.local.set(key, value, opts);
      if (ok) this.remember(key, value, opts);
      return ok;
    } finally {
      if (opts.nx) this.claiming.delete(key);
    }
  }

  async del(key: string) {
    this.forget(key);
    await this.local.del(key);
    try {
      await this.primary.del(key, this.call);
    } catch (err) {
      this.fellBack('del', err);
    }
  }

  async incr(key: string, ttlMs: number) {
    try {
      return await this.primary.incr(key, ttlMs, this.call);
    } catch (err) {
      this.fellBack('incr', err);
      return this.local.incr(key, ttlMs);
    }
  }

  async incrBy(key: string, by: number, ttlMs: number) {
    try {
      return await this.primary.incrBy(key, by, ttlMs, this.call);
    } catch (err) {
      this.fellBack('incr', err);
      return this.local.incrBy(key, by, ttlMs);
    }
  }

  async ttl(key: string) {
    const mine = await this.local.ttl(key);
    if (mine !== -2) return mine;
    try {
      return await this.primary.ttl(key, this.call);
    } catch (err) {
      this.fellBack('ttl', err);
      return -2;
    }
  }

  async compareAndDelete(key: string, expected: string) {
    if (await this.local.compareAndDelete(key, expected)) {
      this.forget(key);
      return true;
    }
    return this.primary.compareAndDelete(key, expected, this.call);
  }

  publish(channel: string, message: string) {
    return this.primary.publish(channel, message);
  }

  subscribe(channel: string, onMessage: (message: string) => void) {
    return this.primary.subscribe(channel, onMessage);
  }

  ping() {
    return this.primary.ping();
  }

  /** Stops the write-back timer and the local store; the primary belongs to whoever opened it. */
  async close() {
    if (this.writeBack) clearInterval(this.writeBack);
    this.writeBack = undefined;
    await this.local.close();
  }
}
