// One call attempt, one answer: the network's `callId` remembered for at least ten minutes, so that a
// retried screen (a timeout, a second switch asking) gets the answer the first one got and is not counted
// again by behaviour protection or breakthrough.
//
// In this process the answer itself is remembered (two generations of a Map, swapped every `ttlMs`: an
// entry lives between ttlMs and 2·ttlMs, and a generation that reaches `maxEntries` is swapped early, so
// memory stays bounded at carrier volume). A retry that reaches another process is recognised by
// breakthrough through the callId stored beside the last stop (behaviour.ts), so it cannot turn a block
// into `allow breakthrough`; it may count once more toward the frequency thresholds there.
import type { NormalizedNumber } from './numbers';
import type { Decision } from './rules';

export interface RememberedCall {
  caller: string;
  callee: string;
  answer: Promise<Decision>;
}

export const CALL_ID_TTL_MS = 10 * 60_000;

export class CallMemory {
  private current = new Map<string, RememberedCall>();
  private previous = new Map<string, RememberedCall>();
  private swappedAt: number;

  constructor(
    private readonly ttlMs = CALL_ID_TTL_MS,
    private readonly maxEntries = 500_000,
    now = Date.now(),
  ) {
    this.swappedAt = now;
  }

  /** The earlier attempt of this call (same id, same caller and callee), if remembered. */
  get(callId: string, caller: NormalizedNumber, callee: NormalizedNumber, now: number): RememberedCall | undefined {
    this.maybeSwap(now);
    const hit = this.current.get(callId) ?? this.previous.get(callId);
    // A network reusing an id for another call gets a fresh decision, not someone else's answer.
    return hit && hit.caller === caller.value && hit.callee === callee.value ? hit : undefined;
  }

  remember(callId: string, caller: NormalizedNumber, callee: NormalizedNumber, answer: Promise<Decision>, now: number): void {
    this.maybeSwap(now);
    if (this.current.size >= this.maxEntries) this.swap(now);
    this.current.set(callId, { caller: caller.value, callee: callee.value, answer });
  }

  private maybeSwap(now: number): void {
    const age = now - this.swappedAt;
    if (age < this.ttlMs) return;
    this.swap(now);
    if (age >= 2 * this.ttlMs) this.previous = new Map();
  }

  private swap(now: number): void {
    this.previous = this.current;
    this.current = new Map();
    this.swappedAt = now;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
