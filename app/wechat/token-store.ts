// The access token, shared by every process through the Store (Redis in production).
//
// Why not wechat-api's own token handling: it has no lock between processes, so N processes starting
// together fetch N tokens and each fetch of /cgi-bin/token invalidates the one before. Here a fetch happens
// only under a lock (SET NX with a random owner, released by compare-and-delete); everyone else polls the
// store until the holder has written the token. One fetch for the whole deployment, however many ask.
import crypto from 'node:crypto';
import type { Logger } from '../log';
import type { Store } from '../store';
import { SYSTEM_BUSY, WechatTokenError, WechatTransportError } from './api-errors';

export interface FetchedToken {
  accessToken: string;
  /** Seconds, as WeChat answers it. */
  expiresIn: number;
}

export type TokenFetcher = () => Promise<FetchedToken>;

/** One HTTP exchange, answered as raw text (the caller parses). Throws transport errors. */
export type TextRequester = (path: string, url: string, init: { method: 'GET' | 'POST'; body?: unknown }) => Promise<{ status: number; text: string }>;

export interface TokenStoreOptions {
  store: Store;
  appId: string;
  fetch: TokenFetcher;
  /** Lock lifetime: must exceed the fetcher's worst case (timeouts and its one busy retry). */
  lockTtlMs?: number;
  /** How long a caller waits for another process's fetch before giving up. */
  waitMs?: number;
  pollMs?: number;
  log?: Logger;
}

/** Safety margin before WeChat's expiry, so a token is never used in its last minutes. */
const EXPIRY_MARGIN_S = 300;
/** A failed fetch is remembered this long so waiting processes fail with it instead of each retrying. */
const FAILURE_MEMORY_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to keep a token: expires_in − 300 s; tokens too short for that margin are kept half their life. */
export function keepMs(expiresInS: number): number {
  const s = expiresInS > 2 * EXPIRY_MARGIN_S ? expiresInS - EXPIRY_MARGIN_S : expiresInS / 2;
  return Math.max(1_000, Math.floor(s * 1000));
}

export class TokenStore {
  readonly key: string;
  private readonly lockKey: string;
  private readonly failureKey: string;
  private readonly lockTtlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  /** Callers in this process share one acquisition rather than racing each other for the lock. */
  private inflight?: Promise<string>;
  /** What this process did: fetched from WeChat, or waited for another process's fetch. */
  readonly stats = { fetches: 0, waits: 0 };

  constructor(private readonly opts: TokenStoreOptions) {
    this.key = `wx:token:${opts.appId}`;
    this.lockKey = `wx:token-lock:${opts.appId}`;
    this.failureKey = `wx:token-failure:${opts.appId}`;
    this.lockTtlMs = opts.lockTtlMs ?? 10_000;
    this.waitMs = opts.waitMs ?? this.lockTtlMs + 2_000;
    this.pollMs = opts.pollMs ?? 50;
  }

  async getToken(): Promise<string> {
    const cached = await this.opts.store.get(this.key);
    if (cached) return cached;
    this.inflight ??= this.acquire().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Compare-and-expire: drops the stored token only if it is still `stale`. A process that saw 40001 late
   * must not throw away the fresh token another process has just fetched.
   */
  async invalidate(stale: string): Promise<boolean> {
    const dropped = await this.opts.store.compareAndDelete(this.key, stale);
    if (dropped) this.opts.log?.info({ appId: this.opts.appId }, 'wechat access token expired early (rejected by WeChat)');
    return dropped;
  }

  private async acquire(): Promise<string> {
    const { store } = this.opts;
    const deadline = Date.now() + this.waitMs;
    let waited = false;
    while (Date.now() < deadline) {
      const owner = crypto.randomUUID();
      if (await store.set(this.lockKey, owner, { nx: true, ttlMs: this.lockTtlMs })) {
        try {
          // The previous holder may have written the token between our read and our lock.
          const fresh = await store.get(this.key);
          if (fresh) return fresh;
          return await this.fetchAndKeep();
        } finally {
          await store.compareAndDelete(this.lockKey, owner);
        }
      }
      if (!waited) {
        waited = true;
        this.stats.waits++;
      }
      // Another process is fetching: wait for its token, or for its lock to vanish without one.
      while (Date.now() < deadline) {
        await sleep(this.pollMs);
        const token = await store.get(this.key);
        if (token) return token;
        if ((await store.get(this.lockKey)) === null) {
          const failure = await store.get(this.failureKey);
          if (failure) {
            const f = JSON.parse(failure) as { message: string; errcode?: number };
            throw new WechatTokenError(f.message, f.errcode);
          }
          break; // the holder died or gave up silently: try to take the lock ourselves
        }
      }
    }
    throw new WechatTokenError(`no access token for ${this.opts.appId} within ${this.waitMs} ms (another process holds the fetch lock)`);
  }

  private async fetchAndKeep(): Promise<string> {
    const { store, log, appId } = this.opts;
    let fetched: FetchedToken;
    try {
      fetched = await this.opts.fetch();
    } catch (err) {
      const e = err as Error & { errcode?: number };
      await store.set(this.failureKey, JSON.stringify({ message: e.message, errcode: e.errcode }), { ttlMs: FAILURE_MEMORY_MS });
      throw err;
    }
    this.stats.fetches++;
    // Cleared before the token is written, so a waiter never pairs a new success with an old failure.
    await store.del(this.failureKey);
    await store.set(this.key, fetched.accessToken, { ttlMs: keepMs(fetched.expiresIn) });
    log?.info({ appId, expiresIn: fetched.expiresIn }, 'wechat access token fetched');
    return fetched.accessToken;
  }
}

export interface TokenFetcherOptions {
  http: TextRequester;
  apiBase: string;
  appId: string;
  appSecret: string;
  busyBackoffMs?: number;
  log?: Logger;
}

/**
 * Fetches through `POST /cgi-bin/stable_token` (force_refresh false): its token does not invalidate the
 * ones other holders of the same appid use, and asking again while it is valid returns the same token.
 *
 * Falls back to `GET /cgi-bin/token` only when stable_token does not exist at that base: HTTP 404, or
 * errcode 48001 (api unauthorized). Then it stays on /cgi-bin/token for this process. It does NOT fall back
 * on -1 (busy; the same backend answers both, and each /cgi-bin/token call invalidates the previous
 * ordinary token held by anyone else) nor on credential errors (the other endpoint would refuse them too).
 * Never forces a refresh: force_refresh is limited to 20 a day, and after a 40001 a plain fetch returns
 * the token WeChat currently considers valid.
 */
export function stableTokenFetcher(o: TokenFetcherOptions): TokenFetcher {
  let stableAvailable = true;
  const backoff = o.busyBackoffMs ?? 300;

  const once = async (path: string, run: () => Promise<{ status: number; text: string }>): Promise<FetchedToken | 'unavailable'> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const { status, text } = await run();
      if (status === 404 && path === '/cgi-bin/stable_token') return 'unavailable';
      if (status !== 200) throw new WechatTransportError(path, `HTTP ${status}`, false, status);
      let body: { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
      try {
        body = JSON.parse(text);
      } catch {
        throw new WechatTransportError(path, 'answer is not JSON', false, status);
      }
      if (body.access_token && body.expires_in) return { accessToken: body.access_token, expiresIn: Number(body.expires_in) };
      if (body.errcode === 48001 && path === '/cgi-bin/stable_token') return 'unavailable';
      if (body.errcode === SYSTEM_BUSY && attempt === 0) {
        await sleep(backoff);
        continue;
      }
      throw new WechatTokenError(`WeChat refused the access token (${path}): ${body.errcode} ${body.errmsg ?? ''}`.trim(), body.errcode);
    }
    throw new WechatTokenError(`WeChat stayed busy (${path})`, SYSTEM_BUSY);
  };

  return async () => {
    if (stableAvailable) {
      const path = '/cgi-bin/stable_token';
      const r = await once(path, () =>
        o.http(path, `${o.apiBase}${path}`, {
          method: 'POST',
          body: { grant_type: 'client_credential', appid: o.appId, secret: o.appSecret, force_refresh: false },
        }),
      );
      if (r !== 'unavailable') return r;
      stableAvailable = false;
      o.log?.warn({ appId: o.appId }, 'stable_token unavailable at this API base; using /cgi-bin/token');
    }
    const path = '/cgi-bin/token';
    const q = new URLSearchParams({ grant_type: 'client_credential', appid: o.appId, secret: o.appSecret });
    const r = await once(path, () => o.http(path, `${o.apiBase}${path}?${q}`, { method: 'GET' }));
    if (r === 'unavailable') throw new WechatTokenError(`${path} unavailable`);
    return r;
  };
}
