// Quiet hours are wall-clock times in Asia/Shanghai, which has had no daylight saving since 1991: a fixed
// UTC+8 offset is exact and needs no time-zone database.
const OFFSET_MS = 8 * 3600_000;
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
  const local = t.getTime() + OFFSET_MS;
  const dayStart = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const minute = (local - dayStart) / MINUTE_MS;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  // The end is today when it is still ahead on today's clock, else tomorrow.
  const endToday = dayStart + end * MINUTE_MS;
  const endLocal = minute < end ? endToday : endToday + DAY_MS;
  return new Date(endLocal - OFFSET_MS);
}

/** `t` on the Shanghai clock, for template keywords and chat lines: 2025-01-02 13:04. */
export function shanghaiTime(t: Date): string {
  const d = new Date(t.getTime() + OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
