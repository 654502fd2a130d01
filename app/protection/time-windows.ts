// Whether a moment falls inside a subscriber's time windows, in China Standard Time (UTC+8 all year,
// no daylight saving, so a fixed offset is exact).
import type { TimeWindow } from './preferences';

const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Local weekday (0 = Sunday) and minute of the day in China. */
export function chinaClock(nowMs: number): { day: number; minute: number } {
  const local = nowMs + CST_OFFSET_MS;
  const dayIndex = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { day: (((dayIndex + 4) % 7) + 7) % 7, minute: Math.floor((local - dayIndex * DAY_MS) / 60_000) };
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
