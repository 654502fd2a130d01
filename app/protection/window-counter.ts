// Counts events per key in fixed windows, in this process at once and across processes through the store:
// the machinery behind both behaviours of behaviour.ts (one caller dialling many callees; one caller
// ringing one callee again and again).
//
// Every event goes into a fixed-size sketch (no allocation, no I/O). A key that reaches `minFlush` events
// in this window in this process is counted exactly: its increments are flushed to the store every
// `flushMs` (INCRBY, pipelined: one round trip per flush) and the shared total comes back. The key is
// flagged the moment the last shared total plus this process's unflushed increments reach the threshold —
// synchronously, so a batch of calls sees its own earlier calls — and when a flush says so. A flag lasts
// the rest of this window and the whole next one, and is published so every other process flags the key
// at once too (it need not have counted the key itself).
import type { Store } from '../store';
import { CallSketch } from './call-sketch';

export interface WindowCounterOptions {
  /** Store key prefix and pub/sub channel name: one per behaviour. */
  name: string;
  threshold: number;
  windowMs: number;
  minFlush: number;
  sketchWidthLog2: number;
  /**
   * How long the sketch counts before it starts afresh (default: the counting window). A key is counted
   * exactly once it reaches minFlush within one sketch window; a long counting window with a short sketch
   * window keeps the fixed-size sketch from filling up.
   */
  sketchWindowMs?: number;
  /** Rows of the sketch (default 3): fewer rows cost fewer memory reads and promote more keys by collision. */
  sketchDepth?: number;
  /** At most this many keys counted exactly; when full, keys seen only once are let go first. */
  maxExact?: number;
  /** Exact calls in this process before a key's count is shared through the store (default 1). */
  minShare?: number;
  /** Keyed hash of an exact key's value for the store key: no numbers in clear at rest. */
  hashValue: (value: string) => string;
  /** A key crossed the threshold in this process (counted here or by the shared total). */
  onFlag?: (key: number, value: string) => void;
  onError?: (e: unknown) => void;
}

interface Exact {
  value: string;
  /** Increments not yet flushed. */
  pending: number;
  /** The shared total the last flush returned (this process's flushed increments included). */
  shared: number;
  /** Calls counted exactly in this process this window. */
  count: number;
  hash?: string;
}

export class WindowCounter {
  private readonly sketch: CallSketch;
  private window = -1;
  private sketchWindow = -1;
  /** No room was freed for exact counting: no more keys are promoted until the window rolls. */
  private full = false;
  /** The sketch's estimate for the key of the last observe(): how often it was seen this sketch window. */
  lastEstimate = 0;
  private exact = new Map<number, Exact>();
  /** key → flagged until (ms). */
  private readonly flagged = new Map<number, number>();
  private readonly announced = new Set<number>();
  private subscribed = false;

  constructor(
    private readonly store: Store,
    readonly opts: WindowCounterOptions,
  ) {
    this.sketch = new CallSketch(opts.sketchWidthLog2, opts.sketchDepth ?? 3);
  }

  get threshold(): number {
    return this.opts.threshold;
  }

  /** Learns other processes' flags (best effort: a lost message is made up by the next flush). */
  async subscribe(): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    await this.store.subscribe(`behaviour:${this.opts.name}`, (m) => {
      const [k, until] = m.split(':').map(Number);
      if (!Number.isFinite(k) || !Number.isFinite(until)) return;
      const had = this.flagged.get(k);
      if (had === undefined || had < until) this.flagged.set(k, until);
      this.announced.add(k);
    });
  }

  /**
   * Counts one event and says whether the key is now abnormal. `value` tells keys apart exactly (a sketch
   * key may be a hash shared by two values; two string values never share an exact count). A function is
   * called only when the key starts being counted exactly.
   */
  observe(key: number, valueOf: string | (() => string), nowMs: number): boolean {
    const w = Math.floor(nowMs / this.opts.windowMs);
    if (w !== this.window) this.rollWindow(w);
    const sw = this.opts.sketchWindowMs ? Math.floor(nowMs / this.opts.sketchWindowMs) : w;
    if (sw !== this.sketchWindow) {
      this.sketchWindow = sw;
      this.sketch.clear();
    }
    const estimate = this.sketch.add(key);
    this.lastEstimate = estimate;
    if (estimate >= this.opts.minFlush) {
      let e = this.exact.get(key);
      if (!e) {
        if (this.opts.maxExact !== undefined && this.exact.size >= this.opts.maxExact && (this.full || !this.makeRoom())) return this.isFlagged(key, nowMs);
        this.exact.set(key, (e = { value: typeof valueOf === 'string' ? valueOf : valueOf(), pending: 0, shared: 0, count: 0 }));
      }
      // A string value tells two keys apart exactly; a value built on demand (a pair's) is trusted to its
      // 52-bit key, so the hot path builds no string for a key it already counts.
      if (typeof valueOf !== 'string' || e.value === valueOf) {
        e.pending++;
        e.count++;
        if (e.shared + e.pending >= this.opts.threshold && !this.isFlagged(key, nowMs)) this.flag(key, e.value, w);
      }
    }
    return this.isFlagged(key, nowMs);
  }

  /**
   * Lets go of keys counted once (most likely promoted by a sketch collision). When that frees less than a
   * tenth of the room, the map stays as it is for the rest of the window (a scan per call would cost more
   * than the counting is worth).
   */
  private makeRoom(): boolean {
    const max = this.opts.maxExact!;
    for (const [k, e] of this.exact) if (e.count < 2 && e.shared === 0) this.exact.delete(k);
    if (this.exact.size > max * 0.9) this.full = true;
    return this.exact.size < max;
  }

  /** Whether the key is flagged, without counting. */
  isFlagged(key: number, nowMs: number): boolean {
    if (this.flagged.size === 0) return false;
    const until = this.flagged.get(key);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.flagged.delete(key);
    return false;
  }

  private rollWindow(w: number): void {
    const old = this.exact;
    const oldWindow = this.window;
    this.window = w;
    this.exact = new Map();
    this.full = false;
    this.announced.clear();
    if (oldWindow >= 0 && old.size) void this.flushMap(old, oldWindow).catch((e) => this.opts.onError?.(e));
  }

  async flush(): Promise<void> {
    if (this.window >= 0 && this.exact.size) await this.flushMap(this.exact, this.window);
  }

  private async flushMap(map: Map<number, Exact>, window: number): Promise<void> {
    const work: Promise<void>[] = [];
    for (const [key, e] of map) {
      if (e.pending === 0 || e.count < (this.opts.minShare ?? 1)) continue;
      const by = e.pending;
      e.pending = 0;
      work.push(
        this.store.incrBy(`${this.opts.name}:${window}:${(e.hash ??= this.opts.hashValue(e.value).slice(0, 32))}`, by, this.opts.windowMs * 2).then(
          (total) => {
            e.shared = total;
            if (total >= this.opts.threshold && window === this.window) this.flag(key, e.value, window);
          },
          (err) => {
            e.pending += by; // tried again at the next flush
            this.opts.onError?.(err);
          },
        ),
      );
    }
    await Promise.all(work);
  }

  private flag(key: number, value: string, window: number): void {
    const until = (window + 2) * this.opts.windowMs;
    this.flagged.set(key, until);
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.store.publish(`behaviour:${this.opts.name}`, `${key}:${until}`).catch((e) => this.opts.onError?.(e));
    this.opts.onFlag?.(key, value);
  }
}
