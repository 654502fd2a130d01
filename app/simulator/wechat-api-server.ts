// The WeChat API, simulated: the paths, payloads and errcodes of api.weixin.qq.com (and the OAuth2
// authorize page of open.weixin.qq.com) for the embedded simulator and for tests. Everything it knows
// lives in WechatSimState; this file only speaks HTTP.
//
// Mounting: `createWechatApiServer({ …, prefix: '/simulator/wechat' }).middleware` can be used on the main
// Koa app; clients then use `http://host:port/simulator/wechat` as their API base. `app` is a standalone
// Koa app with the same routes (tests listen on it).
import Router from '@koa/router';
import Koa from 'koa';
import type { Context } from 'koa';
import { normalizeMenu, selfMenuInfo, validateMenu, type SimMenu } from './wechat-menu-state';
import { answer, escapeHtml, FAULT_MESSAGES, hang, ok, OPENID, queryOf, readJson, sleep } from './wechat-http';
import { WechatSimState, wxError } from './wechat-sim-state';

export interface WechatApiServerOptions {
  appId: string;
  appSecret: string;
  /** Template ids the account owns (sends with any other id answer 40037). */
  templateIds?: string[];
  /** Access token lifetime, seconds (WeChat: 7200). */
  tokenTtlS?: number;
  /** Path the routes live under, e.g. /simulator/wechat; '' for a server of its own. */
  prefix?: string;
  /** Share a state (several mounts, or a state prepared by a test). */
  state?: WechatSimState;
}

export interface WechatApiServer {
  app: Koa;
  state: WechatSimState;
  /** The routes, for mounting on another Koa app. */
  middleware: Koa.Middleware;
}

export function createWechatApiServer(opts: WechatApiServerOptions): WechatApiServer {
  const state = opts.state ?? new WechatSimState({ tokenTtlS: opts.tokenTtlS });
  if (opts.tokenTtlS !== undefined) state.tokenTtlS = opts.tokenTtlS;
  state.addApp(opts.appId, opts.appSecret, opts.templateIds ?? []);
  const router = new Router({ prefix: opts.prefix || undefined });

  type Handler = (ctx: Context) => Promise<unknown> | unknown;

  /** Counts the call, applies delay and injected faults, then answers what `fn` returns. */
  const api =
    (path: string, fn: Handler) =>
    async (ctx: Context): Promise<void> => {
      const fault = state.onRequest(path);
      if (state.delayMs > 0) await sleep(state.delayMs);
      if (fault === 'timeout') return hang(ctx);
      if (typeof fault === 'object') {
        ctx.status = fault.http;
        ctx.type = 'text/html';
        ctx.body = `<html><body><h1>${fault.http}</h1></body></html>`;
        return;
      }
      if (typeof fault === 'number') return answer(ctx, wxError(fault, FAULT_MESSAGES[fault] ?? 'simulated error'));
      answer(ctx, await fn(ctx));
    };

  /** The app behind the call's access_token, or WeChat's token error. */
  const authed =
    (fn: (ctx: Context, appId: string) => Promise<unknown> | unknown): Handler =>
    (ctx) => {
      const who = state.checkToken(queryOf(ctx, 'access_token'));
      return 'errcode' in who ? who : fn(ctx, who.appId);
    };

  const withBody =
    (fn: (body: Record<string, unknown>, appId: string) => unknown) =>
    async (ctx: Context, appId: string) => {
      const read = await readJson(ctx);
      if ('errcode' in read) return read;
      if (!read.value || typeof read.value !== 'object') return wxError(47001, 'data format error');
      return fn(read.value as Record<string, unknown>, appId);
    };

  // ---- access token ---------------------------------------------------------------------------------

  router.get(
    '/cgi-bin/token',
    api('/cgi-bin/token', (ctx) => {
      if (queryOf(ctx, 'grant_type') !== 'client_credential') return wxError(40002, 'invalid grant_type');
      const app = state.apps.get(queryOf(ctx, 'appid') ?? '');
      if (!app) return wxError(40013, 'invalid appid');
      if (queryOf(ctx, 'secret') !== app.appSecret) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
      const t = state.issuePlainToken(app.appId);
      return { access_token: t.accessToken, expires_in: t.expiresIn };
    }),
  );

  router.post(
    '/cgi-bin/stable_token',
    api('/cgi-bin/stable_token', async (ctx) => {
      const read = await readJson(ctx);
      if ('errcode' in read) return read;
      const b = (read.value ?? {}) as { grant_type?: unknown; appid?: unknown; secret?: unknown; force_refresh?: unknown };
      if (b.grant_type !== 'client_credential') return wxError(40002, 'invalid grant_type');
      const app = state.apps.get(String(b.appid ?? ''));
      if (!app) return wxError(40013, 'invalid appid');
      if (b.secret !== app.appSecret) return wxError(40125, 'invalid appsecret');
      const t = state.issueStableToken(app.appId, b.force_refresh === true);
      return { access_token: t.accessToken, expires_in: t.expiresIn };
    }),
  );

  // ---- menu -----------------------------------------------------------------------------------------

  router.post(
    '/cgi-bin/menu/create',
    api(
      '/cgi-bin/menu/create',
      authed(
        withBody((body) => {
          const rejected = validateMenu(body);
          if (rejected) return wxError(rejected.errcode, rejected.errmsg);
          state.publishMenu(normalizeMenu(body as unknown as SimMenu));
          return ok();
        }),
      ),
    ),
  );

  router.get(
    '/cgi-bin/menu/get',
    api(
      '/cgi-bin/menu/get',
      authed(() => (state.menu ? { menu: state.menu } : wxError(46003, 'menu no exist'))),
    ),
  );

  router.get(
    '/cgi-bin/menu/delete',
    api(
      '/cgi-bin/menu/delete',
      authed(() => {
        state.publishMenu(null);
        return ok();
      }),
    ),
  );

  router.get(
    '/cgi-bin/get_current_selfmenu_info',
    api(
      '/cgi-bin/get_current_selfmenu_info',
      authed(() => selfMenuInfo(state.menu)),
    ),
  );

  // ---- messages -------------------------------------------------------------------------------------

  router.post(
    '/cgi-bin/message/template/send',
    api(
      '/cgi-bin/message/template/send',
      authed(
        withBody((b, appId) => {
          const templateId = typeof b.template_id === 'string' ? b.template_id : '';
          if (!state.apps.get(appId)?.templateIds.has(templateId)) return wxError(40037, 'invalid template_id');
          const data = b.data as Record<string, { value?: unknown }> | undefined;
          if (!data || typeof data !== 'object') return wxError(47003, 'argument invalid! data invalid');
          // Since 2023-05: plain values of at most 20 characters, no line breaks.
          for (const [k, v] of Object.entries(data)) {
            const value = v?.value;
            if (typeof value !== 'string' || [...value].length > 20 || /[\r\n]/.test(value)) return wxError(47003, `argument invalid! data.${k}.value invalid`);
          }
          const refused = state.recipientError(b.touser, templateId);
          if (refused) return refused;
          const msgid = state.recordTemplate({
            appId,
            touser: b.touser as string,
            templateId,
            url: typeof b.url === 'string' && b.url ? b.url : undefined,
            data: data as Record<string, { value: string }>,
          });
          // Written into the text as WeChat does: a bare 64-bit integer, beyond what JSON.parse keeps exact.
          return `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`;
        }),
      ),
    ),
  );

  router.post(
    '/cgi-bin/message/custom/send',
    api(
      '/cgi-bin/message/custom/send',
      authed(
        withBody((b, appId) => {
          if (b.msgtype !== 'text') return wxError(40008, 'invalid message type');
          const content = (b.text as { content?: unknown } | undefined)?.content;
          if (typeof content !== 'string' || content === '') return wxError(44004, 'empty content');
          const refused = state.recipientError(b.touser);
          if (refused) return refused;
          state.recordCustom({ appId, touser: b.touser as string, msgtype: 'text', text: content });
          return ok();
        }),
      ),
    ),
  );

  // ---- OAuth2 ---------------------------------------------------------------------------------------

  router.get(
    '/sns/oauth2/access_token',
    api('/sns/oauth2/access_token', (ctx) => {
      const app = state.apps.get(queryOf(ctx, 'appid') ?? '');
      if (!app) return wxError(40013, 'invalid appid');
      if (queryOf(ctx, 'secret') !== app.appSecret) return wxError(40125, 'invalid appsecret');
      if (queryOf(ctx, 'grant_type') !== 'authorization_code') return wxError(40002, 'invalid grant_type');
      const code = queryOf(ctx, 'code');
      if (!code) return wxError(41008, 'missing code');
      const r = state.redeemCode(app.appId, code);
      if ('errcode' in r) return r;
      const { openid, scope } = r;
      return { access_token: `SIMOAUTH_${code}`, expires_in: 7200, refresh_token: `SIMREFRESH_${code}`, openid, scope };
    }),
  );

  // The stand-in for https://open.weixin.qq.com/connect/oauth2/authorize: WeChat would know the user;
  // here the simulator page (or a test) names them with ?openid=, or picks one on the page shown.
  router.get('/connect/oauth2/authorize', (ctx) => {
    state.onRequest('/connect/oauth2/authorize');
    const appid = queryOf(ctx, 'appid') ?? '';
    const redirectUri = queryOf(ctx, 'redirect_uri') ?? '';
    const scope = queryOf(ctx, 'scope') ?? '';
    const stateParam = queryOf(ctx, 'state') ?? '';
    const refuse = (msg: string) => {
      ctx.status = 400;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = msg;
    };
    if (!state.apps.has(appid)) return refuse('appid invalid (10016)');
    if (queryOf(ctx, 'response_type') !== 'code') return refuse('response_type invalid (10004)');
    if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') return refuse('scope invalid (10005)');
    let target: URL;
    try {
      target = new URL(redirectUri);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return refuse('redirect_uri invalid (10003)');
    }
    const openid = queryOf(ctx, 'openid');
    if (openid !== undefined) {
      if (!OPENID.test(openid)) return refuse('openid invalid');
      target.searchParams.set('code', state.issueCode(appid, openid, scope));
      target.searchParams.set('state', stateParam);
      ctx.redirect(target.toString());
      return;
    }
    const here = new URL(ctx.originalUrl, 'http://simulator.invalid');
    const link = (id: string) => {
      here.searchParams.set('openid', id);
      return `${here.pathname}${here.search}`;
    };
    const users = [...state.followers.entries()].filter(([, f]) => f.following).map(([id]) => id);
    const hidden = [...new URL(ctx.originalUrl, 'http://simulator.invalid').searchParams.entries()]
      .filter(([k]) => k !== 'openid')
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>模拟微信授权 · simulated WeChat OAuth</title></head><body>
<h1>模拟微信授权</h1><p>Simulated WeChat OAuth2: choose the user WeChat would sign in.</p>
<ul>${users.map((id) => `<li><a href="${escapeHtml(link(id))}">${escapeHtml(id)}</a></li>`).join('')}</ul>
<form method="get" action="${escapeHtml(here.pathname)}">${hidden}<input name="openid" placeholder="openid" pattern="[A-Za-z0-9_-]{6,64}" required><button>OK</button></form>
</body></html>`;
  });

  const middleware = router.routes() as unknown as Koa.Middleware;
  const app = new Koa();
  app.use(middleware);
  return { app, state, middleware };
}
