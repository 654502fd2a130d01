// What a channel's answer means for the notice. Each channel sorts its own errors into one of these once;
// the worker only acts on the verdict.

export type Verdict =
  | { result: 'sent'; msgid?: string; smsMessageId?: number }
  /** Did not take effect, worth another try later (WeChat: 45009, -1, HTTP 5xx, no connection). */
  | { result: 'retry'; error: string; rateLimited: boolean }
  /** May have taken effect: a timeout after the request left. Recorded, never resent. */
  | { result: 'uncertain'; error: string }
  /** The channel will not reach this subscriber again (WeChat 43004 unfollowed / 43101 refused). */
  | { result: 'blocked'; error: string }
  /** Will not succeed by trying again (bad template, bad openid, SMS gateway gave up). */
  | { result: 'failed'; error: string };

/** Errors are kept short in the notice's history and last_error. */
export const shortError = (s: string) => s.slice(0, 240);
