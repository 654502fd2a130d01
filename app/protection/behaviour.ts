// What callers do, learnt from the screen calls themselves: abnormal call frequency (异常高频) counted
// across processes through the store, and the breakthrough memory (who was just stopped for whom).
//
// Counting trade-off (docs/decisions.md, "Behaviour"): sending every call to Redis would cost a round trip
// per decision. Instead each process counts in a fixed-size sketch; once a caller has made `minFlush` calls
// in the current window *in this process*, it is counted exactly and its increments are flushed to the
// store every `flushMs`, the shared total coming back with the flush. So a process misses at most
// minFlush − 1 calls per caller per window, and a caller is flagged at most flushMs after crossing the
// threshold. Callers who call rarely (nearly all) never reach the store. Store keys carry a keyed hash of
// the caller, never the number.
import type { Store } from '../store';
import { CallSketch } from './call-sketch';
import type { LabelService } from './label-service';

export interface BehaviourOptions {
  /** Calls per caller per window from which the caller is abnormal ("hundreds of numbers a minute"). */
  threshold?: number;
  windowMs?: number;
  /** Calls in one process before a caller is counted exactly and shared. */
  minFlush?: number;
  flushMs?: number;
  /** log2 of the sketch width; 20 (1M counters per row) suits ~1M calls per minute per process. */
  sketchWidthLog2?: number;
  /** Gives flagged callers a behaviour label (so edge copies and other processes learn them too). */
  labels?: Pick<LabelService, 'addEvidence'>;
  /** How long a behaviour label lasts after the caller was last seen abnormal. */
  labelTtlMs?: number;
  /** Keyed hash for numbers that go into store keys (breakthrough memory): no callers in clear at rest. */
  hashNumber: (n: string) => string;
  onError?: (e: unknown) => void;
}

interface Exact {
  value: string;
  /** Increments not yet flushed. */
  pending: number;
  /** The store key's hash of the number, computed at the first flush (off the hot path). */
  hash?: string;
}

export class Behaviour {
  readonly threshold: number;
  private readonly windowMs: number;
  private readonly minFlush: number;
  private readonly flushMs: number;
  private readonly labelTtlMs: number;
  private readonly sketch: CallSketch;
  private window = -1;
  private exact = new Map<number, Exact>();
  /** numberKey → flagged until (ms). */
  private readonly flagged = new Map<number, number>();
  private readonly labelled = new Set<number>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly opts: BehaviourOptions,
  ) {
    this.threshold = opts.threshold ?? 100;
    this.windowMs = opts.windowMs ?? 60_000;
    this.minFlush = Math.max(1, opts.minFlush ?? 4);
    this.flushMs = opts.flushMs ?? 1000;
    this.labelTtlMs = opts.labelTtlMs ?? 24 * 3_600_000;
    this.sketch = new CallSketch(opts.sketchWidthLog2 ?? 20);
  }

  /**
   * Counts one call from `key` (numberKey of the normalised caller `value`) and says whether the caller is
   * currently abnormal. Synchronous and allocation-free for callers below minFlush.
   */
  observe(key: number, value: string, nowMs = Date.now()): boolean {
    const w = Math.floor(nowMs / this.windowMs);
    if (w !== this.window) this.rollWindow(w);
    const estimate = this.sketch.add(key);
    if (estimate >= this.minFlush) {
      const e = this.exact.get(key);
      if (e) e.pending++;
      else this.exact.set(key, { value, pending: 1 });
    }
    return this.isHighFrequency(key, nowMs);
  }

  isHighFrequency(key: number, nowMs = Date.now()): boolean {
    if (this.flagged.size === 0) return false;
    const until = this.flagged.get(key);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.flagged.delete(key);
    return false;
  }

  /** A new window: what the old one counted is flushed under its own key, then counting starts afresh. */
  private rollWindow(w: number): void {
    const old = this.exact;
    const oldWindow = this.window;
    this.window = w;
    this.exact = new Map();
    this.sketch.clear();
    this.labelled.clear();
    if (oldWindow >= 0 && old.size) void this.flushMap(old, oldWindow).catch((e) => this.opts.onError?.(e));
  }

  /** Sends pending increments to the store and flags callers whose shared total crossed the threshold. */
  async flush(): Promise<void> {
    if (this.window >= 0 && this.exact.size) await this.flushMap(this.exact, this.window);
  }

  private async flushMap(map: Map<number, Exact>, window: number): Promise<void> {
    const work: Promise<void>[] = [];
    for (const [key, e] of map) {
      if (e.pending === 0) continue;
      const by = e.pending;
      e.pending = 0;
      // node-redis pipelines these: one flush is one round trip however many callers it carries.
      work.push(
        this.store.incrBy(`hf:${window}:${(e.hash ??= this.opts.hashNumber(e.value).slice(0, 32))}`, by, this.windowMs * 2).then(
          (total) => {
            if (total >= this.threshold) this.flag(key, e.value, window);
          },
          (err) => {
            e.pending += by; // try again next flush
            this.opts.onError?.(err);
          },
        ),
      );
    }
    await Promise.all(work);
  }

  private flag(key: number, value: string, window: number): void {
    // Abnormal for the rest of this window and the whole next one; still dialling then, flagged again.
    this.flagged.set(key, (window + 2) * this.windowMs);
    if (this.opts.labels && !this.labelled.has(key)) {
      this.labelled.add(key);
      const now = Date.now();
      this.opts.labels
        .addEvidence(value, 'high_frequency', 'behaviour', { weight: 1, at: new Date(now), expiresAt: new Date(now + this.labelTtlMs) })
        .catch((e) => this.opts.onError?.(e));
    }
  }

  private breakthroughKey(subscriberId: number, caller: string): string {
    return `bt:${subscriberId}:${this.opts.hashNumber(caller).slice(0, 32)}`;
  }

  /** When `caller` was last stopped for this subscriber (within the memory's lifetime), ms since epoch. */
  async lastStoppedAt(subscriberId: number, caller: string): Promise<number | undefined> {
    const v = await this.store.get(this.breakthroughKey(subscriberId, caller));
    return v === null ? undefined : Number(v);
  }

  /** Remembers a stopped call for `withinMinutes` (the subscriber's breakthrough window). */
  async recordStop(subscriberId: number, caller: string, atMs: number, withinMinutes: number): Promise<void> {
    await this.store.set(this.breakthroughKey(subscriberId, caller), String(atMs), { ttlMs: withinMinutes * 60_000 });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.flushing) return;
      this.flushing = this.flush()
        .catch((e) => this.opts.onError?.(e))
        .finally(() => (this.flushing = undefined));
    }, this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush().catch((e) => this.opts.onError?.(e));
  }
}
