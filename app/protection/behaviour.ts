// What callers do, learnt from the screen calls themselves: abnormal call frequency (异常高频: one caller,
// many callees) and call bombing (呼死你: one caller, one callee, again and again), counted in this process
// at once and across processes through the store, and the breakthrough memory (who was just stopped for whom).
//
// Counting trade-off (docs/decisions.md, "Behaviour"): sending every call to Redis would cost a round trip
// per decision. Instead each process counts in a fixed-size sketch; once a caller has made `minFlush` calls
// in the current window *in this process*, it is counted exactly and its increments are flushed to the
// store every `flushMs`, the shared total coming back with the flush. So a process misses at most
// minFlush − 1 calls per caller per window; a caller is flagged in this process the moment its count here
// plus the last shared total reaches the threshold, elsewhere at most flushMs later. Callers who call
// rarely (nearly all) never reach the store. Store keys carry a keyed hash of the caller, never the number.
import type { Store } from '../store';
import type { LabelService } from '../labels/service';
import { WindowCounter } from './window-counter';
import { type Repeating, repeatWithoutOverlap } from '../repeat';

export interface BehaviourOptions {
  /** Calls per caller per window from which the caller is abnormal ("hundreds of numbers a minute"). */
  threshold?: number;
  windowMs?: number;
  /** 呼死你: calls from one caller to one callee per `repeatWindowMs` from which the pair is abnormal. */
  repeatThreshold?: number;
  repeatWindowMs?: number;
  /** Calls in one process before a caller (or a pair) is counted exactly and shared. */
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

/** The defaults, documented in docs/decisions.md and overridable by BEHAVIOUR_* variables. */
export const BEHAVIOUR_DEFAULTS = { threshold: 100, windowMs: 60_000, repeatThreshold: 10, repeatWindowMs: 600_000, minFlush: 4, flushMs: 1000 } as const;

/** What a stop remembered for breakthrough holds: when, and which call attempt (a retry is not a repeat). */
export interface LastStop {
  at: number;
  callId?: string;
}

/**
 * A 52-bit key for the pair (caller, callee), for the sketch and the exact map; the pair's exact identity
 * is its value string, so a collision of two pairs' keys merges no counts.
 */
export function pairKey(callerKey: number, calleeKey: number): number {
  const a = mix32(callerKey >>> 0, Math.floor(callerKey / 4294967296) >>> 0, 0x9e3779b1);
  const b = mix32(calleeKey >>> 0, Math.floor(calleeKey / 4294967296) >>> 0, 0x85ebca6b);
  return (a & 0xfffff) * 4294967296 + ((b ^ Math.imul(a, 0x27d4eb2d)) >>> 0);
}

function mix32(lo: number, hi: number, seed: number): number {
  let h = Math.imul(lo ^ seed, 0xcc9e2d51);
  h = Math.imul(h ^ (h >>> 15) ^ hi, 0x1b873593);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Behaviour {
  readonly threshold: number;
  readonly repeatThreshold: number;
  private readonly flushMs: number;
  private readonly labelTtlMs: number;
  private readonly callers: WindowCounter;
  private readonly pairs: WindowCounter;
  private flushing?: Repeating;

  constructor(
    private readonly store: Store,
    private readonly opts: BehaviourOptions,
  ) {
    const d = BEHAVIOUR_DEFAULTS;
    this.threshold = opts.threshold ?? d.threshold;
    this.repeatThreshold = opts.repeatThreshold ?? d.repeatThreshold;
    this.flushMs = opts.flushMs ?? d.flushMs;
    this.labelTtlMs = opts.labelTtlMs ?? 24 * 3_600_000;
    const minFlush = Math.max(1, opts.minFlush ?? d.minFlush);
    const width = opts.sketchWidthLog2 ?? 20;
    const hashValue = (v: string) => opts.hashNumber(v);
    this.callers = new WindowCounter(store, {
      name: 'hf',
      threshold: this.threshold,
      windowMs: opts.windowMs ?? d.windowMs,
      minFlush,
      sketchWidthLog2: width,
      hashValue,
      onFlag: (_key, value) => this.label(value),
      onError: opts.onError,
    });
    this.pairs = new WindowCounter(store, {
      name: 'hp',
      threshold: this.repeatThreshold,
      windowMs: opts.repeatWindowMs ?? d.repeatWindowMs,
      // Only callers seen at least twice this minute count pairs (observePair): unique callers, nearly all
      // of a carrier's traffic, cost nothing here. From then on a pair is counted exactly from its first
      // call, shared through the store from its second; a pair promoted once and never seen again costs no
      // store key, and at most 200,000 pairs are counted exactly per window.
      minFlush: 1,
      sketchWidthLog2: width,
      sketchWindowMs: 60_000,
      sketchDepth: 1,
      maxExact: 200_000,
      minShare: 2,
      hashValue,
      onError: opts.onError,
    });
  }

  /**
   * Counts one call from `key` (numberKey of the normalised caller `value`) and says whether the caller is
   * currently abnormal. Synchronous and allocation-free for callers below minFlush.
   */
  observe(key: number, value: string, nowMs = Date.now()): boolean {
    return this.callers.observe(key, value, nowMs);
  }

  /**
   * Counts one call from caller to callee (呼死你) and says whether the pair is abnormal now. Called right
   * after observe() for the same caller: a caller seen once this minute (its first call) has no pair worth
   * counting, and is passed over without any work.
   */
  observePair(callerKey: number, caller: string, calleeKey: number, callee: string, nowMs = Date.now()): boolean {
    const k = pairKey(callerKey, calleeKey);
    if (this.callers.lastEstimate < 2) return this.pairs.isFlagged(k, nowMs);
    // A caller already flagged for dialling everyone is blocked as such; its pairs are not worth a map entry.
    if (this.callers.isFlagged(callerKey, nowMs)) return this.pairs.isFlagged(k, nowMs);
    // The pair's exact value is built only once the sketch has promoted it (see WindowCounter).
    return this.pairs.observe(k, () => `${caller}>${callee}`, nowMs);
  }

  isHighFrequency(key: number, nowMs = Date.now()): boolean {
    return this.callers.isFlagged(key, nowMs);
  }

  isCallBombing(callerKey: number, calleeKey: number, nowMs = Date.now()): boolean {
    return this.pairs.isFlagged(pairKey(callerKey, calleeKey), nowMs);
  }

  /** Sends pending increments to the store and flags callers whose shared total crossed the threshold. */
  async flush(): Promise<void> {
    await Promise.all([this.callers.flush(), this.pairs.flush()]);
  }

  private label(value: string): void {
    if (!this.opts.labels) return;
    const now = Date.now();
    this.opts.labels
      .addEvidence(value, 'high_frequency', 'behaviour', { weight: 1, at: new Date(now), expiresAt: new Date(now + this.labelTtlMs) })
      .catch((e) => this.opts.onError?.(e));
  }

  private breakthroughKey(subscriberId: number, caller: string): string {
    return `bt:${subscriberId}:${this.opts.hashNumber(caller).slice(0, 32)}`;
  }

  /** When `caller` was last stopped for this subscriber (within the memory's lifetime), and on which call. */
  async lastStop(subscriberId: number, caller: string): Promise<LastStop | undefined> {
    const v = await this.store.get(this.breakthroughKey(subscriberId, caller));
    if (v === null) return undefined;
    const sep = v.indexOf(' ');
    return sep < 0 ? { at: Number(v) } : { at: Number(v.slice(0, sep)), callId: v.slice(sep + 1) };
  }

  /** When `caller` was last stopped for this subscriber (within the memory's lifetime), ms since epoch. */
  async lastStoppedAt(subscriberId: number, caller: string): Promise<number | undefined> {
    return (await this.lastStop(subscriberId, caller))?.at;
  }

  /** Remembers a stopped call for `withinMinutes` (the subscriber's breakthrough window). */
  async recordStop(subscriberId: number, caller: string, atMs: number, withinMinutes: number, callId?: string): Promise<void> {
    await this.store.set(this.breakthroughKey(subscriberId, caller), callId ? `${atMs} ${callId}` : String(atMs), { ttlMs: withinMinutes * 60_000 });
  }

  start(): void {
    if (this.flushing) return;
    void Promise.all([this.callers.subscribe(), this.pairs.subscribe()]).catch((e) => this.opts.onError?.(e));
    this.flushing = repeatWithoutOverlap(this.flushMs, () => this.flush(), (e) => this.opts.onError?.(e));
  }

  async stop(): Promise<void> {
    await this.flushing?.stop();
    this.flushing = undefined;
    await this.flush().catch((e) => this.opts.onError?.(e));
  }
}
