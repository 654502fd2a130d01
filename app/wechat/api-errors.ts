// What can go wrong when we call WeChat, as types the callers branch on. Callers decide what a failure
// means for their domain; this file only names WeChat's codes.

/** Codes that mean "this access token is no good": invalid (40001), expired (42001), malformed (40014). */
export const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
/** -1: "system busy, try again later". The request did not take effect. */
export const SYSTEM_BUSY = -1;

/** WeChat answered, with a non-zero errcode. The request did not take effect. */
export class WechatApiError extends Error {
  override name = 'WechatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    /** The API path, e.g. /cgi-bin/message/template/send. */
    readonly path: string,
  ) {
    super(`WeChat ${path} failed: ${errcode} ${errmsg}`);
  }
}

/** An OAuth2 code that was never issued, already used or expired: the page must start OAuth again. */
export class WechatOAuthCodeError extends WechatApiError {
  override name = 'WechatOAuthCodeError';
}

/**
 * No answer in time after the request was sent. WeChat may or may not have acted on it: a template send
 * that timed out may still reach the user, so it must be recorded as uncertain, not retried blindly.
 */
export class WechatTimeoutError extends Error {
  override name = 'WechatTimeoutError';
  readonly uncertain = true;
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`WeChat ${path} did not answer within ${timeoutMs} ms; the outcome is unknown`);
  }
}

/**
 * The exchange broke before WeChat gave a JSON answer: no connection, an HTTP error status, a body that is
 * not JSON. `uncertain` says whether the request may have reached WeChat (the connection dropped after
 * sending, or a gateway timed out in front of it).
 */
export class WechatTransportError extends Error {
  override name = 'WechatTransportError';
  constructor(
    readonly path: string,
    message: string,
    readonly uncertain: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${path}: ${message}`, options);
  }
}

/** The token could not be obtained (credentials refused, or no process managed to fetch one in time). */
export class WechatTokenError extends Error {
  override name = 'WechatTokenError';
  constructor(
    message: string,
    readonly errcode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const codeOf = (e: unknown) => (e instanceof WechatApiError ? e.errcode : undefined);

/** 43004: the user no longer follows the account; 43101: the user refused this template. */
export const isUserBlocked = (e: unknown) => codeOf(e) === 43004 || codeOf(e) === 43101;
/** 45009: the daily/minute API quota is exhausted. */
export const isRateLimited = (e: unknown) => codeOf(e) === 45009;
/** The call may have taken effect although we saw no success: record it as uncertain. */
export const isOutcomeUncertain = (e: unknown) =>
  e instanceof WechatTimeoutError || (e instanceof WechatTransportError && e.uncertain);
