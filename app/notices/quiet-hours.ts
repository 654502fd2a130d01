// Quiet hours are wall-clock times on the China clock.
import { chinaClock } from '../china-time';

export { shanghaiTime } from '../china-time';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function minutesOf(hhmm: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * When the quiet hours that contain `t` end, or null when `t` is outside them. A window may cross
 * midnight (22:00–07:00); start is inclusive, end exclusive; equal start and end mean no quiet hours.
 */
export function quietUntil(t: Date, quiet: { start: string; end: string } | null | undefined): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === null || end === null || start === end) return null;
  const { minute, midnightMs } = chinaClock(t.getTime());
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  // The end is today when it is still ahead on today's clock, else tomorrow.
  const endToday = midnightMs + end * MINUTE_MS;
  return new Date(minute < end ? endToday : endToday + DAY_MS);
}
