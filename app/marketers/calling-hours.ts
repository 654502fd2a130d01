// When marketing calls may be placed (MARKETER_CALLING_HOURS, China time): outside, nothing is callable.
import { chinaClock } from '../china-time';

export interface CallingHours {
  /** Minutes after China midnight; calls allowed in [start, end). */
  start: number;
  end: number;
}

export function insideCallingHours(h: CallingHours, nowMs: number): boolean {
  const { minute } = chinaClock(nowMs);
  return minute >= h.start && minute < h.end;
}
