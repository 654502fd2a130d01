// China Standard Time: UTC+8 all year, no daylight saving since 1991, so a fixed offset is exact and needs
// no time-zone database. Every wall-clock reading of the service (time windows, quiet hours, the times a
// subscriber reads in chat, pages and notices) goes through here.
export const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface ChinaClock {
  /** Weekday, 0 = Sunday. */
  day: number;
  /** Minute of the day, 0–1439. */
  minute: number;
  /** The instant the China day began (its midnight), as epoch milliseconds. */
  midnightMs: number;
}

/** The China wall clock at epoch milliseconds `ms`. */
export function chinaClock(ms: number): ChinaClock {
  const local = ms + CHINA_OFFSET_MS;
  const dayIndex = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { day: (((dayIndex + 4) % 7) + 7) % 7, minute: Math.floor((local - dayIndex * DAY_MS) / MINUTE_MS), midnightMs: dayIndex * DAY_MS - CHINA_OFFSET_MS };
}

/** `t` on the China clock, for template keywords and chat lines: 2025-01-02 13:04. */
export function shanghaiTime(t: Date): string {
  const d = new Date(t.getTime() + CHINA_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
