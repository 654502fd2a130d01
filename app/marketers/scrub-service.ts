// May this marketer key call these numbers for this category now? One answer per number sent, in order,
// and nothing more: callable or not, with the contract's coarse reason. The subscribers' refusals come
// from the RefusalSource in bulk; consents from the in-memory ConsentIndex.
import type { Deps } from '../deps';
import { numberKey } from '../protection/number-key';
import { normalizeNumber } from '../protection/numbers';
import { insideAnyWindow } from '../protection/time-windows';
import { insideCallingHours, type CallingHours } from './calling-hours';
import type { ConsentIndex } from './consent-index';
import type { Refusal, RefusalSource } from './refusals';
import type { SubscriberView } from '../protection/subscriber-view';
import { viewRefuses } from './view-refusals';
import type { WatchList } from './watch';
import { sortedDistinct } from './watch-blob';

export type ScrubReason = 'no_refusal' | 'consent' | 'refused' | 'revoked' | 'outside_hours' | 'invalid';

export interface ScrubResult {
  number: string;
  callable: boolean;
  reason: ScrubReason;
}

/** Whether the subscriber refuses `category` at `now` (protection on, not paused, the category not allowed, inside their windows). */
export function refuses(r: Refusal | undefined, category: string, now: number): boolean {
  if (!r || r.paused) return false;
  if ((r.modes[category] ?? 'block') === 'allow') return false;
  return !r.windows || insideAnyWindow(r.windows.windows, now);
}

/** The answer for one valid mobile, hours aside. */
export function answerFor(consents: ConsentIndex, keyId: string, number: string, category: string, refusal: Refusal | undefined, now: number): { callable: boolean; reason: ScrubReason } {
  return answerGiven(consents, keyId, number, category, refuses(refusal, category, now), now);
}

/** The same when whether the subscriber refuses is known already. */
function answerGiven(consents: ConsentIndex, keyId: string, number: string, category: string, refused: boolean, now: number): { callable: boolean; reason: ScrubReason } {
  const consent = consents.has(number) ? consents.stateOf(keyId, number, category, now) : 'none';
  if (consent === 'live') return CONSENT;
  if (consent === 'revoked') return REVOKED;
  return refused ? REFUSED : NO_REFUSAL;
}

const CONSENT = { callable: true, reason: 'consent' } as const;
const REVOKED = { callable: false, reason: 'revoked' } as const;
const REFUSED = { callable: false, reason: 'refused' } as const;
const NO_REFUSAL = { callable: true, reason: 'no_refusal' } as const;

export class ScrubService {
  constructor(
    private readonly deps: Pick<Deps, 'vault'>,
    private readonly parts: {
      refusals: RefusalSource;
      consents: ConsentIndex;
      watch: WatchList;
      hours: CallingHours;
      /** The deciding process's subscriber view: once loaded, a scrub reads it number by number, in one pass. */
      view?: () => SubscriberView | undefined;
      onWatchError?: (e: unknown) => void;
    },
  ) {}

  async scrub(keyId: string, category: string, numbers: readonly string[], now: number): Promise<ScrubResult[]> {
    const outside = !insideCallingHours(this.parts.hours, now);
    const view = this.parts.view?.();
    if (!outside && view?.ready) return this.fromView(view, keyId, category, numbers, now);
    const out: ScrubResult[] = new Array(numbers.length);
    const normal: (string | null)[] = new Array(numbers.length);
    const distinct = new Set<string>();
    const keys = new Float64Array(numbers.length);
    let k = 0;
    for (let i = 0; i < numbers.length; i++) {
      const n = normalizeNumber(numbers[i]);
      if (n.kind !== 'mobile') {
        normal[i] = null;
        continue;
      }
      normal[i] = n.value;
      if (distinct.has(n.value)) continue;
      distinct.add(n.value);
      keys[k++] = numberKey(n.value);
    }
    const held = [...distinct];
    // Outside the hours every answer is the same and nothing is looked up; the numbers are still watched.
    this.parts.watch.recordLater(keyId, sortedDistinct(keys, k), now, this.parts.onWatchError);
    const refusals = outside ? new Map<string, Refusal>() : await this.parts.refusals.lookup(held, this.hashOf);
    for (let i = 0; i < numbers.length; i++) {
      const number = numbers[i];
      const n = normal[i];
      if (n === null) out[i] = { number, callable: false, reason: 'invalid' };
      else if (outside) out[i] = { number, callable: false, reason: 'outside_hours' };
      else {
        const a = answerFor(this.parts.consents, keyId, n, category, refusals.get(n), now);
        out[i] = { number, callable: a.callable, reason: a.reason };
      }
    }
    return out;
  }

  /** The same answers read from a loaded view: one pass, no set of the numbers, no refusal object per number. */
  private fromView(view: SubscriberView, keyId: string, category: string, numbers: readonly string[], now: number): ScrubResult[] {
    const out: ScrubResult[] = new Array(numbers.length);
    const keys = new Float64Array(numbers.length);
    const consents = this.parts.consents;
    let k = 0;
    for (let i = 0; i < numbers.length; i++) {
      const number = numbers[i];
      const n = normalizeNumber(number);
      if (n.kind !== 'mobile') {
        out[i] = { number, callable: false, reason: 'invalid' };
        continue;
      }
      const key = numberKey(n.value);
      keys[k++] = key;
      const a = answerGiven(consents, keyId, n.value, category, viewRefuses(view.getNumber(key), category, now), now);
      out[i] = { number, callable: a.callable, reason: a.reason };
    }
    this.parts.watch.recordLater(keyId, sortedDistinct(keys, k), now, this.parts.onWatchError);
    return out;
  }

  private readonly hashOf = (n: string) => this.deps.vault.lookupHash(n);
}
