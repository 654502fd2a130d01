// Refusals read from the deciding process's subscriber view (app/protection/subscriber-view.ts): the same
// in-memory copy of every enrolled phone the screens use, keyed by the number itself, so a 10,000-number
// scrub is 10,000 binary searches (and no keyed hash) instead of ten database round trips. Until the view is loaded (a cold process) the database answers.
import type { Preferences } from '../protection/preferences';
import type { SubscriberView } from '../protection/subscriber-view';
import { insideAnyWindow } from '../protection/time-windows';
import type { Refusal, RefusalSource } from './refusals';

export class ViewRefusalSource implements RefusalSource {
  constructor(
    private readonly view: () => SubscriberView | undefined,
    private readonly fallback: RefusalSource,
  ) {}

  async lookup(numbers: readonly string[], hashOf: (number: string) => string): Promise<Map<string, Refusal>> {
    const view = this.view();
    if (!view?.ready) return this.fallback.lookup(numbers, hashOf);
    const out = new Map<string, Refusal>();
    for (const number of numbers) {
      const p = view.get(number);
      if (!p || !p.enabled) continue;
      const tw = p.options.timeWindows;
      out.set(number, { paused: p.paused, modes: p.categoryModes, windows: tw && tw.mode === 'windows' ? tw : null });
    }
    return out;
  }
}

/**
 * Whether the view's entry refuses `category` at `now`: what refuses() answers for the Refusal that
 * lookup() builds of it, read straight from the entry (a scrub of 10,000 numbers then allocates nothing
 * per number for it).
 */
export function viewRefuses(p: Preferences | null, category: string, now: number): boolean {
  if (!p || !p.enabled || p.paused) return false;
  if ((p.categoryModes[category as keyof Preferences['categoryModes']] ?? 'block') === 'allow') return false;
  const tw = p.options.timeWindows;
  return !(tw && tw.mode === 'windows') || insideAnyWindow(tw.windows, now);
}
