// 关怀版: the remembered choice of the large-text simple view (a cookie, a year), and the Chinese
// 404 page and the favicon for addresses no route answers.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { parseOrRefuse } from '../settings/preferences-service';
import { jsonErrors } from './api-routes';
import type { H5Auth } from './auth';
import { jsonBody } from './body';
import { notFoundPage } from './pages/not-found';
import { FAVICON } from './pages/layout';

const VIEW_COOKIE = 'fsr_view';
const YEAR_MS = 365 * 24 * 60 * 60_000;

/** A display preference, not a secret: a plain cookie any page (and its renderer) can read. */
export function isSimpleView(ctx: Context): boolean {
  return ctx.cookies.get(VIEW_COOKIE) === 'simple';
}

export function mountCare(router: Router, auth: H5Auth): void {
  router.post('/api/view', jsonErrors, auth.api, async (ctx) => {
    const { simple } = parseOrRefuse(z.strictObject({ simple: z.boolean() }), await jsonBody(ctx));
    ctx.cookies.set(VIEW_COOKIE, simple ? 'simple' : 'full', { httpOnly: true, sameSite: 'lax', path: '/h5', maxAge: YEAR_MS, secure: ctx.secure, overwrite: true });
    ctx.body = { simple };
  });
}

/** Mounted before the routers: answers /favicon.ico, and turns an empty 404 under /h5 into the Chinese page. */
export function h5Fallbacks(): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/favicon.ico') {
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.type = FAVICON.type;
      ctx.body = FAVICON.body;
      return;
    }
    await next();
    if (ctx.status !== 404 || ctx.body != null || !ctx.path.startsWith('/h5') || ctx.path.startsWith('/h5/api/')) return;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return;
    ctx.status = 404;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = notFoundPage();
  };
}
