// Signing in to the H5 pages through WeChat OAuth2 (snsapi_base): a page without a session goes to
// WeChat's authorize URL with a random `state` that is also kept in a short-lived signed cookie in this
// browser; WeChat sends the browser back with a code and the state; a state that does not match the
// cookie is refused (login CSRF), the code is exchanged for the openid, and a signed session cookie follows.
import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import type { DataSource } from 'typeorm';
import { Subscriber } from '../../entities';
import type { SubscriberService } from '../binding/subscriber-service';
import type { Logger } from '../log';
import { HttpError } from '../http/errors';
import { authorizeUrl } from '../wechat/oauth';
import { H5Cookies, OAUTH_COOKIE, OAUTH_TTL_MS, SESSION_COOKIE, SESSION_TTL_MS, type OAuthState, type Session } from './session';

export interface H5SignIn {
  appId: string;
  /** Where /connect/oauth2/authorize lives: https://open.weixin.qq.com, or the simulator's base. */
  authorizeBase: string;
  /** Exchanges an OAuth2 code for the openid through WECHAT_API_BASE (/sns/oauth2/access_token). */
  exchangeCode(code: string): Promise<{ openid: string; snapshot?: boolean }>;
}

export interface H5Context {
  session: Session;
  subscriber: Subscriber;
}

export function h5State(ctx: Context): H5Context {
  const s = ctx.state.h5 as H5Context | undefined;
  if (!s) throw new HttpError(401, 'no_session', 'sign in again');
  return s;
}

/** Only our own pages are places to come back to (no open redirect). */
export function safeReturnPath(p: unknown): string {
  return typeof p === 'string' && /^\/h5(\/[A-Za-z0-9/_-]*)?(\?[A-Za-z0-9=&_-]*)?$/.test(p) && !p.includes('//') && !p.startsWith('/h5/oauth') ? p : '/h5/';
}

export class H5Auth {
  constructor(
    private readonly cookies: H5Cookies,
    private readonly db: DataSource,
    private readonly subscribers: SubscriberService,
    private readonly signIn: H5SignIn,
    private readonly publicBaseUrl: string | undefined,
    private readonly log: Logger,
  ) {}

  /** The valid session of this request and its subscriber, or null (absent, forged, expired, deleted). */
  async current(ctx: Context): Promise<H5Context | null> {
    const session = this.cookies.read<Session>(ctx, SESSION_COOKIE);
    if (!session || !Number.isSafeInteger(session.sid)) return null;
    const subscriber = await this.db.getRepository(Subscriber).findOneBy({ id: session.sid });
    if (!subscriber || !subscriber.openid || H5Cookies.openidDigest(subscriber.openid) !== session.oid) return null;
    return { session, subscriber };
  }

  /** Pages: no session → off to WeChat to sign in, then back here. */
  page = async (ctx: Context, next: Next): Promise<void> => {
    const found = await this.current(ctx);
    if (!found) return this.redirectToAuthorize(ctx, ctx.originalUrl);
    ctx.state.h5 = found;
    await next();
  };

  /** JSON endpoints: no session → 401; a state-changing method also needs the session's CSRF token. */
  api = async (ctx: Context, next: Next): Promise<void> => {
    const found = await this.current(ctx);
    if (!found) throw new HttpError(401, 'no_session', 'sign in again');
    if (!['GET', 'HEAD'].includes(ctx.method) && !this.cookies.csrfValid(found.session, ctx.get('x-csrf-token') || undefined)) throw new HttpError(403, 'csrf', 'missing or wrong CSRF token');
    ctx.state.h5 = found;
    await next();
  };

  redirectToAuthorize(ctx: Context, back: string): void {
    const state = crypto.randomBytes(16).toString('base64url');
    this.cookies.set(ctx, OAUTH_COOKIE, { state, back: safeReturnPath(back), exp: Date.now() + OAUTH_TTL_MS } satisfies OAuthState, OAUTH_TTL_MS);
    // Koa 3: ctx.origin is the Origin header, not this server; build it from protocol and host.
    const redirectUri = `${this.publicBaseUrl ?? `${ctx.protocol}://${ctx.host}`}/h5/oauth/callback`;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(authorizeUrl({ appId: this.signIn.appId, redirectUri, state, scope: 'snsapi_base' }, this.signIn.authorizeBase));
  }

  /** GET /h5/oauth/callback?code&state */
  callback = async (ctx: Context): Promise<void> => {
    const pending = this.cookies.read<OAuthState>(ctx, OAUTH_COOKIE);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    // The state cookie is single use whatever happens next.
    this.cookies.clear(ctx, OAUTH_COOKIE);
    if (!pending || !state || !sameText(pending.state, state)) throw new HttpError(403, 'oauth_state', 'sign-in state missing or mismatched');
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(code)) throw new HttpError(403, 'oauth_code', 'sign-in was not authorised');
    let identity: { openid: string; snapshot?: boolean };
    try {
      identity = await this.signIn.exchangeCode(code);
    } catch (e) {
      const err = e as { errcode?: number; code?: number | string; message?: string };
      const wechatRefused = typeof err.errcode === 'number' || typeof err.code === 'number';
      this.log.warn({ err: err.message, errcode: err.errcode ?? err.code }, 'h5 oauth code exchange failed');
      throw wechatRefused ? new HttpError(403, 'oauth_code', 'sign-in code refused by WeChat') : new HttpError(502, 'wechat_unavailable', 'WeChat did not answer');
    }
    // A "snapshot page" visitor carries a virtual openid that is nobody's: nothing may be bound to it.
    if (!identity.openid || identity.snapshot) throw new HttpError(403, 'oauth_code', 'no real WeChat user behind this code');
    const openid = identity.openid;
    const subscriber = await this.subscribers.ensure(openid);
    this.cookies.set(ctx, SESSION_COOKIE, this.cookies.newSession(subscriber.id, openid), SESSION_TTL_MS);
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(safeReturnPath(pending.back));
  };

  signOut(ctx: Context): void {
    this.cookies.clear(ctx, SESSION_COOKIE);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
