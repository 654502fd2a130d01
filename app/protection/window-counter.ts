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
  hash?: string;
}

export class WindowCounter {
  private readonly sketch: CallSketch;
  private window = -1;
  private exact = new Map<number, Exact>();
  /** key → flagged until (ms). */
  private readonly flagged = new Map<number, number>();
  private readonly announced = new Set<number>();
  private subscribed = false;

  constructor(
    private readonly store: Store,
    readonly opts: WindowCounterOptions,
  ) {
    this.sketch = new CallSketch(opts.sketchWidthLog2);
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
   * key may be a hash shared by two values; two values never share an exact count). A function is called
   * only once the key is counted exactly, so the hot path builds no string for it.
   */
  observe(key: number, valueOf: string | (() => string), nowMs: number): boolean {
    const w = Math.floor(nowMs / this.opts.windowMs);
    if (w !== this.window) this.rollWindow(w);
    const estimate = this.sketch.add(key);
    if (estimate >= this.opts.minFlush) {
      const value = typeof valueOf === 'string' ? valueOf : valueOf();
      let e = this.exact.get(key);
      if (!e) this.exact.set(key, (e = { value, pending: 0, shared: 0 }));
      if (e.value === value) {
        e.pending++;
        if (e.shared + e.pending >= this.opts.threshold && !this.isFlagged(key, nowMs)) this.flag(key, e.value, w);
      }
    }
    return this.isFlagged(key, nowMs);
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
    this.sketch.clear();
    this.announced.clear();
    if (oldWindow >= 0 && old.size) void this.flushMap(old, oldWindow).catch((e) => this.opts.onError?.(e));
  }

  async flush(): Promise<void> {
    if (this.window >= 0 && this.exact.size) await this.flushMap(this.exact, this.window);
  }

  private async flushMap(map: Map<number, Exact>, window: number): Promise<void> {
    const work: Promise<void>[] = [];
    for (const [key, e] of map) {
      if (e.pending === 0) continue;
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
