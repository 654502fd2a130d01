// WeChat OAuth2 for H5 pages (wechat-api has none): the authorize URL and the code exchange. The `state`
// round trip is the H5 sign-in's (app/h5/auth.ts: a signed cookie in the browser).
import API from 'wechat-api';
import { SYSTEM_BUSY, WechatApiError, WechatOAuthCodeError, WechatTransportError } from './api-errors';
import { createTextRequester } from './api-http';
import type { TextRequester } from './token-store';

export const WECHAT_AUTHORIZE_BASE = 'https://open.weixin.qq.com';

/** Codes that mean "this code is spent or was never good": start the OAuth round trip again. */
const CODE_ERRORS = new Set([40029, 40163, 42003]);

export interface AuthorizeParams {
  appId: string;
  redirectUri: string;
  state: string;
  scope?: 'snsapi_base' | 'snsapi_userinfo';
}

/**
 * The page WeChat shows (silently for snsapi_base) before redirecting to `redirectUri?code&state`.
 * WeChat insists on this parameter order and on the #wechat_redirect fragment.
 * `authorizeBase` is open.weixin.qq.com in production, the simulator's API base otherwise.
 */
export function authorizeUrl(p: AuthorizeParams, authorizeBase = WECHAT_AUTHORIZE_BASE): string {
  const q = [
    ['appid', p.appId],
    ['redirect_uri', p.redirectUri],
    ['response_type', 'code'],
    ['scope', p.scope ?? 'snsapi_base'],
    ['state', p.state],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${authorizeBase.replace(/\/+$/, '')}/connect/oauth2/authorize?${q}#wechat_redirect`;
}

export interface OAuthIdentity {
  openid: string;
  scope: string;
  /**
   * WeChat's "snapshot page" visitor (朋友圈快照页): a virtual openid that is not the real user. Pages must
   * not bind anything to it.
   */
  snapshot: boolean;
}

export interface WechatOAuthOptions {
  appId: string;
  appSecret: string;
  apiBase: string;
  timeoutMs?: number;
  busyBackoffMs?: number;
}

export class WechatOAuth {
  private readonly http: TextRequester;
  private readonly base: string;

  constructor(private readonly opts: WechatOAuthOptions) {
    this.base = opts.apiBase.replace(/\/+$/, '');
    this.http = createTextRequester(new API(opts.appId, opts.appSecret), opts.timeoutMs ?? 3_000);
  }

  /**
   * Trades the code from the redirect for the user's openid. A code is single use: a reused, unknown or
   * expired code throws WechatOAuthCodeError (40163 / 40029 / 42003).
   */
  async exchangeCode(code: string): Promise<OAuthIdentity> {
    const path = '/sns/oauth2/access_token';
    const q = new URLSearchParams({ appid: this.opts.appId, secret: this.opts.appSecret, code, grant_type: 'authorization_code' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const { status, text } = await this.http(path, `${this.base}${path}?${q}`, { method: 'GET' });
      if (status !== 200) throw new WechatTransportError(path, `HTTP ${status}`, false, status);
      let b: { openid?: string; scope?: string; is_snapshotuser?: number; errcode?: number; errmsg?: string };
      try {
        b = JSON.parse(text);
      } catch {
        throw new WechatTransportError(path, 'answer is not JSON', false, status);
      }
      if (b.openid && !b.errcode) return { openid: b.openid, scope: b.scope ?? '', snapshot: b.is_snapshotuser === 1 };
      const errcode = Number(b.errcode ?? 0);
      // -1 means WeChat did not process the request, so the code is still unspent.
      if (errcode === SYSTEM_BUSY && attempt === 0) {
        await new Promise((r) => setTimeout(r, this.opts.busyBackoffMs ?? 300));
        continue;
      }
      const errmsg = String(b.errmsg ?? '');
      if (CODE_ERRORS.has(errcode)) throw new WechatOAuthCodeError(errcode, errmsg, path);
      throw new WechatApiError(errcode, errmsg, path);
    }
    throw new WechatApiError(SYSTEM_BUSY, 'system busy', path);
  }
}
