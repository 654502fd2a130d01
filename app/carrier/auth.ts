// Who may talk to the carrier API, and how much: key, timestamp window, signature over the exact bytes,
// then the per-key budget and the one-time nonce. A refusal is JSON and changes nothing; in particular a
// request whose signature fails never reaches the store, so it cannot burn a nonce a real request will use.
import type { Context, Next } from 'koa';
import type { Deps } from '../deps';
import { refuse } from './json-error';
import { carrierRefusals } from './metrics';
import { CarrierRateLimiter } from './rate-limit';
import { BodyTooLarge, readRawBody } from '../http/raw-body';
import type { Logger } from '../log';
import { FallbackStore } from '../store/fallback-store';
import type { Store } from '../store';
import { expectedSignature, NONCE_TTL_MS, signatureMatches, TIMESTAMP_WINDOW_SEC } from './signature';

/** What an authenticated request carries on to its handler, as `ctx.state.carrier`. */
export interface CarrierRequest {
  keyId: string;
  /** The parsed JSON body; undefined for an empty body (GET); the raw bytes when `json: false`. */
  body: unknown;
}

export interface CarrierAuthOptions {
  /** Bodies beyond this many bytes get 413 without being read further. */
  maxBodyBytes: number;
  /** false: the body is handed on as the raw bytes (a CSV upload), not parsed as JSON. */
  json?: boolean;
}

const NONCE = /^[A-Za-z0-9+/=._~-]{8,128}$/;
const NONCE_CLAIM = Object.freeze({ nx: true, ttlMs: NONCE_TTL_MS });

/**
 * The nonce claim and the rate budget may wait this long for Redis: a screen must answer within 100 ms
 * whatever Redis does, so past it the process-local window and bucket answer (see FallbackStore).
 */
export const SIGNED_STORE_TIMEOUT_MS = 30;

// One local window per store and API, shared by all its routes, so a nonce spent on one is spent on all.
const fallbackStores = new WeakMap<Store, Map<string, Store>>();

function failOpenStore(store: Store, scope: string, log?: Pick<Logger, 'warn' | 'info'>): Store {
  let byScope = fallbackStores.get(store);
  if (!byScope) fallbackStores.set(store, (byScope = new Map()));
  let s = byScope.get(scope);
  if (!s) byScope.set(scope, (s = FallbackStore.around(store, { use: scope, timeoutMs: SIGNED_STORE_TIMEOUT_MS, log })));
  return s;
}

/** One signed API: its keys, its per-key budget, where its nonces and counters live, how refusals are counted. */
export interface SignedApi {
  /** 'carrier' or 'marketer': prefixes the store keys and names ctx.state[scope]. */
  scope: string;
  keys: ReadonlyMap<string, string>;
  ratePerSecond: number;
  onRefusal(reason: string): void;
  /** Where a fall back to the process-local window is logged (throttled). */
  log?: Pick<Logger, 'warn' | 'info'>;
}

/**
 * The signing scheme shared by the carrier and the marketer APIs; the authenticated request lands in
 * `ctx.state[api.scope]` as a CarrierRequest.
 */
export function signedRequestAuth(shared: Deps['store'], api: SignedApi, opts: CarrierAuthOptions) {
  const keys = api.keys;
  const store = failOpenStore(shared, api.scope, api.log);
  const limiter = new CarrierRateLimiter(store, api.ratePerSecond, `${api.scope}:rate`);
  const deny = (ctx: Context, status: number, error: string, message: string): void => {
    api.onRefusal(error);
    refuse(ctx, status, error, message);
  };

  return async function signedAuthMiddleware(ctx: Context, next: Next): Promise<void> {
    const keyId = ctx.get('x-key-id');
    const timestamp = ctx.get('x-timestamp');
    const nonce = ctx.get('x-nonce');
    const signature = ctx.get('x-signature');
    if (!keyId || !timestamp || !nonce || !signature) return deny(ctx, 401, 'missing_auth', 'X-Key-Id, X-Timestamp, X-Nonce and X-Signature are required');
    const secret = keys.get(keyId);
    if (secret === undefined) return deny(ctx, 401, 'unknown_key', 'unknown X-Key-Id');
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TIMESTAMP_WINDOW_SEC)
      return deny(ctx, 401, 'stale_timestamp', `X-Timestamp must be unix seconds within ±${TIMESTAMP_WINDOW_SEC} s of the server clock`);
    if (!NONCE.test(nonce)) return deny(ctx, 401, 'bad_nonce', 'X-Nonce must be 8–128 characters of [A-Za-z0-9+/=._~-]');

    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, opts.maxBodyBytes);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      // The rest of the upload is not worth reading: answer and close the connection.
      ctx.set('Connection', 'close');
      return deny(ctx, 413, 'payload_too_large', `the body of this endpoint is limited to ${opts.maxBodyBytes} bytes`);
    }

    if (!signatureMatches(signature, expectedSignature(secret, ctx.method, ctx.originalUrl, timestamp, nonce, raw)))
      return deny(ctx, 401, 'bad_signature', 'X-Signature does not match the request');

    // Both in one round trip (the client pipelines them). A throttled request spends its nonce: a retry signs afresh.
    // The budget is nearly always answered from the local lease, without a promise to wait for.
    const verdict = limiter.hit(keyId);
    const claim = store.set(`${api.scope}:nonce:${keyId}:${nonce}`, '1', NONCE_CLAIM);
    const [rate, fresh] = verdict instanceof Promise ? await Promise.all([verdict, claim]) : [verdict, await claim];
    if (!rate.ok) {
      ctx.set('Retry-After', String(rate.retryAfterSec));
      return deny(ctx, 429, 'rate_limited', `more than ${api.ratePerSecond} requests per second for this key`);
    }
    if (!fresh) return deny(ctx, 401, 'nonce_reused', 'X-Nonce was already used within the timestamp window');

    let body: unknown = opts.json === false ? raw : undefined;
    if (raw.length > 0 && opts.json !== false) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return deny(ctx, 400, 'malformed_json', 'the body is not valid JSON');
      }
    }
    ctx.state[api.scope] = { keyId, body } satisfies CarrierRequest;
    await next();
  };
}

export function carrierAuth(deps: Pick<Deps, 'config' | 'store'> & Partial<Pick<Deps, 'log'>>, opts: CarrierAuthOptions) {
  return signedRequestAuth(
    deps.store,
    { scope: 'carrier', keys: deps.config.carrierKeys, ratePerSecond: deps.config.carrierRateLimit, onRefusal: (reason) => carrierRefusals.inc({ reason }), log: deps.log },
    opts,
  );
}
