// Whether a moment falls inside a subscriber's time windows, on the China clock.
import { chinaClock } from '../china-time';
import type { TimeWindow } from './preferences';

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * A window that ends before it starts crosses midnight and belongs to the day it starts on: Friday
 * 22:00–07:00 covers Saturday 03:00.
 */
export function insideWindow(w: TimeWindow, nowMs: number): boolean {
  const { day, minute } = chinaClock(nowMs);
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  const onDay = (d: number) => w.days.length === 0 || w.days.includes(d);
  if (start < end) return onDay(day) && minute >= start && minute < end;
  if (minute >= start) return onDay(day);
  if (minute < end) return onDay((day + 6) % 7);
  return false;
}

export function insideAnyWindow(windows: readonly TimeWindow[], nowMs: number): boolean {
  for (const w of windows) if (insideWindow(w, nowMs)) return true;
  return false;
}
