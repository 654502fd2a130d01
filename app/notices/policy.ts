// The clock and the length of a "minute" the notices module runs on. Production: the wall clock and 60 s.
// Tests shrink the minute (a 60-minute digest window that lasts a second) or set the clock (quiet hours).
import type { NoticeSettings } from '../protection/preferences';
import { defaultNotices } from '../protection/preferences';

export interface NoticePolicy {
  now(): Date;
  /** How long one minute of a subscriber's digest window lasts, in ms. */
  minuteMs: number;
}

export function defaultPolicy(over: Partial<NoticePolicy> = {}): NoticePolicy {
  return { now: () => new Date(), minuteMs: 60_000, ...over };
}

/** A stored notices document made whole: missing or nonsensical fields take the defaults. */
export function noticeSettingsOf(raw: unknown): NoticeSettings {
  const d = defaultNotices();
  const s = (raw && typeof raw === 'object' ? raw : {}) as Partial<NoticeSettings>;
  const minutes = Number(s.digestMinutes);
  return {
    mode: s.mode === 'digest' ? 'digest' : 'per_call',
    digestMinutes: Number.isFinite(minutes) && minutes >= 1 ? Math.floor(minutes) : d.digestMinutes,
    wechat: typeof s.wechat === 'boolean' ? s.wechat : d.wechat,
    sms: typeof s.sms === 'boolean' ? s.sms : d.sms,
    quietHours: s.quietHours && typeof s.quietHours.start === 'string' && typeof s.quietHours.end === 'string' ? s.quietHours : null,
  };
}
