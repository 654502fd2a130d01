// Signed cookies for the H5 pages: the sign-in state of one OAuth round trip, and the session after it.
// Stateless (HMAC under a key derived from DATA_KEY), so any web process can read them.
import crypto from 'node:crypto';
import { deriveKey } from '../privacy/derive-key';
import type { Context } from 'koa';

export const SESSION_COOKIE = 'fsr_h5';
export const OAUTH_COOKIE = 'fsr_h5_oauth';
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const OAUTH_TTL_MS = 10 * 60_000;
const COOKIE_PATH = '/h5';

export interface Session {
  /** Subscriber id. */
  sid: number;
  /** A short digest of the openid: a deleted and re-created subscriber never inherits an old cookie. */
  oid: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** Per-session random value the CSRF token is derived from. */
  n: string;
}

export interface OAuthState {
  state: string;
  /** Where to go after signing in (a /h5 path). */
  back: string;
  exp: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class H5Cookies {
  private readonly sessionKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(dataKey: Buffer) {
    this.sessionKey = deriveKey(dataKey, 'h5 session');
    this.csrfKey = deriveKey(dataKey, 'h5 csrf');
  }

  static openidDigest(openid: string): string {
    return crypto.createHash('sha256').update(openid).digest('base64url').slice(0, 16);
  }

  /** `payload.mac`, the MAC covering the cookie's name too so one cookie cannot stand in for the other. */
  seal(name: string, value: object): string {
    const payload = b64(JSON.stringify(value));
    return `${payload}.${this.mac(name, payload)}`;
  }

  open<T extends { exp: number }>(name: string, sealed: string | undefined, now = Date.now()): T | null {
    if (!sealed) return null;
    const [payload, mac, extra] = sealed.split('.');
    if (!payload || !mac || extra !== undefined) return null;
    const want = Buffer.from(this.mac(name, payload));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) return null;
    try {
      const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
      return typeof value.exp === 'number' && value.exp > now ? value : null;
    } catch {
      return null;
    }
  }

  csrfToken(s: Session): string {
    return crypto.createHmac('sha256', this.csrfKey).update(`${s.sid}:${s.n}`).digest('base64url');
  }

  csrfValid(s: Session, token: string | undefined): boolean {
    if (!token) return false;
    const want = Buffer.from(this.csrfToken(s));
    const got = Buffer.from(token);
    return want.length === got.length && crypto.timingSafeEqual(want, got);
  }

  newSession(subscriberId: number, openid: string, now = Date.now()): Session {
    return { sid: subscriberId, oid: H5Cookies.openidDigest(openid), exp: now + SESSION_TTL_MS, n: crypto.randomBytes(12).toString('base64url') };
  }

  // HttpOnly and SameSite=Lax: the OAuth redirect back from WeChat is a top-level GET, which Lax lets through.
  set(ctx: Context, name: string, value: object, ttlMs: number): void {
    ctx.cookies.set(name, this.seal(name, value), { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, maxAge: ttlMs, secure: ctx.secure, overwrite: true });
  }

  clear(ctx: Context, name: string): void {
    ctx.cookies.set(name, '', { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, maxAge: 0, expires: new Date(0), secure: ctx.secure, overwrite: true });
  }

  read<T extends { exp: number }>(ctx: Context, name: string): T | null {
    return this.open<T>(name, ctx.cookies.get(name));
  }

  private mac(name: string, payload: string): string {
    return crypto.createHmac('sha256', this.sessionKey).update(`${name}\n${payload}`).digest('base64url');
  }
}
