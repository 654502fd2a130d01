// Refusals read from the deciding process's subscriber view (app/protection/subscriber-view.ts): the same
// in-memory copy of every enrolled phone the screens use, keyed by the number itself, so a 10,000-number
// scrub is 10,000 binary searches (and no keyed hash) instead of ten database round trips. Until the view is loaded (a cold process) the database answers.
import type { SubscriberView } from '../protection/subscriber-view';
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
