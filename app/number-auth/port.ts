// The number-authentication port (本机号码认证): what the bind page needs from "the carrier knows which SIM
// is on this data session", whoever provides it. Two calls, as every provider's H5 flow has them:
//  1. credentials for the page's JS-SDK (Aliyun: GetAuthToken → AccessToken + JwtToken), with which the
//     SDK asks the carrier for the masked number and, once the subscriber has confirmed, a one-time token;
//  2. the exchange of that token for the full number (Aliyun: GetPhoneWithToken), on the server only.
// Tokens are single use and short-lived (China Mobile 2 minutes, Telecom 10, Unicom 30).

export interface SdkCredentials {
  accessToken: string;
  jwtToken: string;
}

export interface NumberAuthProvider {
  readonly name: 'aliyun' | 'simulator';
  /** Where the page loads the JS-SDK from (a path on this server or the operator's static host). */
  readonly sdkUrl: string;
  /** `pageUrl` and `origin` are the bind page's, as registered with the provider. `subscriberKey` ties the credentials to one session where the provider can. */
  sdkCredentials(p: { pageUrl: string; origin: string; subscriberKey: string }): Promise<SdkCredentials>;
  /** The 11-digit number the token was issued for; throws NumberAuthError. */
  phoneWithToken(p: { token: string; subscriberKey: string }): Promise<string>;
}

/**
 * Why a one-tap attempt did not give a number. The subscriber-facing text of each is in
 * copy/one-tap.ts; every one of them offers the SMS code instead.
 *  - token_invalid: expired, already spent at the provider, issued to someone else, or unknown to it;
 *  - token_reused: this server has already exchanged the very same token;
 *  - token_garbage: not shaped like any provider's token (never sent on);
 *  - unavailable: the provider did not answer, throttled, or failed on its side;
 *  - misconfigured: the provider refuses our credentials or scheme (the operator's to fix);
 *  - not_mobile: the provider answered with something that is not a mainland mobile number;
 *  - daily_cap: this subscriber has tried too often today.
 */
export type NumberAuthFailure = 'token_invalid' | 'token_reused' | 'token_garbage' | 'unavailable' | 'misconfigured' | 'not_mobile' | 'daily_cap';

export class NumberAuthError extends Error {
  constructor(
    readonly reason: NumberAuthFailure,
    /** The provider's own code (isv.TOKEN_INVALID, http_503, …) for logs and metrics. */
    readonly code?: string,
    opts?: { cause?: unknown },
  ) {
    super(`number authentication failed: ${reason}${code ? ` (${code})` : ''}`, opts);
    this.name = 'NumberAuthError';
  }
}

/** Tokens are opaque, but every provider's fit in a URL-safe alphabet and a few hundred characters. */
export const TOKEN_SHAPE = /^[A-Za-z0-9+/=_.:-]{8,1024}$/;
