// Everything under /h5: static assets, the OAuth2 sign-in, the pages and their JSON endpoints.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { H5 } from '../../copy/h5';
import type { Deps } from '../deps';
import { HttpError } from '../http/errors';
import { mountApi } from './api-routes';
import { mountBind } from './bind-routes';
import { H5Auth, type H5SignIn } from './auth';
import { mountConsents } from './consents-routes';
import { mountPages, renderPage } from './page-routes';
import { ASSETS, errorPage } from './pages/layout';
import { H5Cookies } from './session';
import type { H5Services } from './services';

export type { H5Services } from './services';

export interface H5Options {
  /** Base of WeChat's /connect/oauth2/authorize: https://open.weixin.qq.com, or the simulator's base. */
  authorizeBase: string;
  /** The OAuth2 code exchange through WECHAT_API_BASE (WechatOAuth.exchangeCode). */
  exchangeCode(code: string): Promise<{ openid: string; snapshot?: boolean }>;
}

/** The sign-in callback lands in a browser: refusals there are a page, not JSON. */
async function htmlErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    ctx.status = e.status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = errorPage(H5.errors[e.code] ?? H5.errors.internal);
  }
}

export function h5Router(deps: Deps, services: H5Services, opts: H5Options): Router {
  const cookies = new H5Cookies(deps.config.dataKey);
  const signIn: H5SignIn = { appId: deps.config.wechat.appId, authorizeBase: opts.authorizeBase, exchangeCode: opts.exchangeCode };
  const auth = new H5Auth(cookies, deps.db, services.subscribers, signIn, deps.config.publicBaseUrl, deps.log);
  const router = new Router({ prefix: '/h5' });

  router.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });

  for (const asset of [ASSETS.css, ASSETS.js, ASSETS.bindJs, ASSETS.icon]) {
    router.get(asset.path.slice('/h5'.length), (ctx) => {
      ctx.set('ETag', asset.etag);
      ctx.set('Cache-Control', 'public, max-age=86400');
      if (ctx.get('if-none-match') === asset.etag) {
        ctx.status = 304;
        return;
      }
      ctx.type = asset.type;
      ctx.body = asset.body;
    });
  }

  router.get('/oauth/callback', htmlErrors, auth.callback);
  mountApi(router, deps, services, auth);
  mountBind(router, deps, services, auth, cookies);
  mountPages(router, deps, services, auth, cookies);
  if (services.consents) mountConsents(router, { consents: services.consents, bindings: services.bindings }, auth, cookies, renderPage);
  return router;
}
