// Where a new interception goes: the first of a burst alone and at once, later ones of the same window into
// one digest, nothing inside quiet hours (held into one digest that goes when they end). Pure: the
// scheduler feeds it the subscriber's cursor and settings, and applies what it answers.
import type { NoticeSettings } from '../protection/preferences';
import { quietUntil } from './quiet-hours';

export interface FoldState {
  /** When the last interception notice was due; the next window runs from there. */
  lastDueAt: Date | null;
  /** A digest still pending, that more interceptions may join. */
  open: { dueAt: Date } | null;
}

export type Placement =
  | { join: true }
  | { join: false; kind: 'intercept' | 'digest'; dueAt: Date; held: boolean };

export function place(state: FoldState, settings: NoticeSettings, now: Date, minuteMs: number): Placement {
  if (state.open) return { join: true };
  const windowMs = settings.digestMinutes * minuteMs;
  const last = state.lastDueAt?.getTime() ?? null;
  const t = now.getTime();
  const quietNow = quietUntil(now, settings.quietHours);
  if (settings.mode === 'per_call' && !quietNow && (last === null || t >= last + windowMs)) {
    return { join: false, kind: 'intercept', dueAt: now, held: false };
  }
  let due: number;
  if (settings.mode === 'per_call') due = last !== null && last + windowMs > t ? last + windowMs : t;
  else due = last !== null && last + windowMs > t ? last + windowMs : t + windowMs;
  const quietEnd = quietUntil(new Date(due), settings.quietHours);
  if (quietEnd) return { join: false, kind: 'digest', dueAt: quietEnd, held: true };
  return { join: false, kind: 'digest', dueAt: new Date(due), held: false };
}

/** The state after a placement: a new digest stays open for the rest of its window. */
export function advance(state: FoldState, p: Placement): FoldState {
  if (p.join) return state;
  return { lastDueAt: p.dueAt, open: p.kind === 'digest' ? { dueAt: p.dueAt } : null };
}
