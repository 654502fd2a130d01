// Everything under /ops: security headers, our own assets (Chart.js from node_modules included: nothing
// is loaded from another origin), the sign-in and the dashboard; the review pages (review-routes.ts,
// label-routes.ts) and the administration pages (admin-routes.ts) mount on the same router. Forms post back
// and redirect (303) to the page with a short outcome code (page-kit.ts), so a reload never repeats an action.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import type { DbLabelPort } from '../labels/evidence';
import type { AppealService } from '../reports/appeal-service';
import type { ReportReview } from '../reports/report-review';
import { adminRoutes } from './admin-routes';
import { CONSOLE_JS } from './assets/script';
import { CONSOLE_CSS } from './assets/style';
import { auditAction, consoleAuth, formBody, opsState, refuse } from './auth';
import { dashboard, type Range } from './dashboard-data';
import { labelRoutes } from './label-routes';
import type { OperatorService } from './operators';
import { render } from './page-kit';
import { dashboardPage } from './pages/dashboard';
import { signInPage } from './pages/layout';
import type { PublicServiceList } from './public-service';
import { reviewRoutes } from './review-routes';
import { OPS_COOKIE, SESSION_IDLE_MS, SessionStore } from './sessions';
import { CONSOLE } from './texts';

export interface ConsoleServices {
  operators: OperatorService;
  review: ReportReview;
  appeals: AppealService;
  labels: DbLabelPort;
  /** The never-blocked list, when the service keeps one the operator can extend. */
  publicService?: PublicServiceList;
}

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PRE_COOKIE = 'fsr_ops_pre';
const COOKIE = { httpOnly: true, sameSite: 'strict' as const, path: '/ops', overwrite: true };

interface Asset {
  path: string;
  type: string;
  body: string | Buffer;
  etag: string;
}
const asset = (p: string, type: string, body: string | Buffer): Asset => ({ path: p, type, body, etag: `"${crypto.createHash('sha256').update(body).digest('hex').slice(0, 12)}"` });

function assets(): Asset[] {
  // Chart.js's own UMD build, exactly as npm installed it (its package exports do not list dist/, so resolve the main entry's folder).
  const chartJs = fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  return [asset('/assets/console.css', 'text/css; charset=utf-8', CONSOLE_CSS), asset('/assets/console.js', 'application/javascript; charset=utf-8', CONSOLE_JS), asset('/assets/chart.umd.min.js', 'application/javascript; charset=utf-8', chartJs)];
}

export function consoleRouter(deps: Deps, s: ConsoleServices): Router {
  const { db } = deps;
  const sessions = new SessionStore(deps.store);
  const guards = consoleAuth(db, sessions, s.operators);
  const { signedIn } = guards;
  const router = new Router({ prefix: '/ops' });

  router.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Content-Security-Policy', CSP);
    try {
      await next();
    } catch (e) {
      deps.log.error({ err: e, path: ctx.path }, 'console request failed');
      refuse(ctx, (e as { status?: number }).status === 413 ? 413 : 500, (e as { status?: number }).status === 413 ? 'badInput' : 'internal');
    }
  });

  for (const a of assets()) {
    router.get(a.path, (ctx) => {
      ctx.set('ETag', a.etag);
      ctx.set('Cache-Control', 'public, max-age=3600');
      if (ctx.get('if-none-match') === a.etag) return void (ctx.status = 304);
      ctx.type = a.type;
      ctx.body = a.body;
    });
  }

  // ——— sign-in ———
  const SIGNIN_REFUSAL_AUDIT = { bad_credentials: 'signin_failed', locked: 'signin_locked' } as const;
  const signInForm = (ctx: Context, status: number, error?: string, name?: string) => {
    const token = crypto.randomBytes(24).toString('base64url');
    ctx.cookies.set(PRE_COOKIE, token, { ...COOKIE, maxAge: 30 * 60_000, secure: ctx.secure });
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = signInPage({ token, error, name });
  };
  router.get('/login', (ctx) => signInForm(ctx, 200));
  router.post('/login', async (ctx) => {
    const form = await formBody(ctx);
    const pre = ctx.cookies.get(PRE_COOKIE);
    const given = form?.get('_csrf') ?? '';
    // Login CSRF: the form's token must be the one this browser was given with the form.
    if (!form || !pre || pre.length !== given.length || !crypto.timingSafeEqual(Buffer.from(pre), Buffer.from(given))) return signInForm(ctx, 403, CONSOLE.signIn.expired);
    const name = (form.get('name') ?? '').trim().toLowerCase().slice(0, 48);
    // ctx.ip: the peer, or with TRUST_PROXY the hop our proxy appended, never a client's own X-Forwarded-For.
    const r = await s.operators.signIn(name, form.get('password') ?? '', (form.get('code') ?? '').trim() || undefined, ctx.ip);
    if (!r.ok) {
      // A throttled address is refused unaudited: each of its attempts must cost nothing, not a row.
      if (r.reason !== 'totp_required' && r.reason !== 'throttled') await auditAction(db, { name }, SIGNIN_REFUSAL_AUDIT[r.reason], { ip: ctx.ip });
      const minutes = Math.ceil((r.retryAfterSec ?? 60) / 60);
      const text = r.reason === 'locked' ? CONSOLE.signIn.locked(minutes) : r.reason === 'throttled' ? CONSOLE.signIn.throttled(minutes) : r.reason === 'totp_required' ? CONSOLE.signIn.totpRequired : CONSOLE.signIn.failed;
      return signInForm(ctx, r.reason === 'locked' || r.reason === 'throttled' ? 429 : 401, text, name);
    }
    const { id, session } = await sessions.create({ operatorId: r.operator.id, name: r.operator.name, role: s.operators.roleOf(r.operator) });
    await auditAction(db, session, 'signin', { ip: ctx.ip });
    ctx.cookies.set(PRE_COOKIE, '', { ...COOKIE, maxAge: 0 });
    ctx.cookies.set(OPS_COOKIE, id, { ...COOKIE, maxAge: SESSION_IDLE_MS * 24, secure: ctx.secure });
    ctx.status = 303;
    ctx.redirect('/ops/');
  });
  router.post('/logout', signedIn, async (ctx) => {
    const st = opsState(ctx);
    await sessions.destroy(st.sessionId);
    await auditAction(db, st.session, 'signout');
    ctx.cookies.set(OPS_COOKIE, '', { ...COOKIE, maxAge: 0 });
    ctx.status = 303;
    ctx.redirect('/ops/login');
  });

  // ——— dashboard ———
  router.get('/', signedIn, async (ctx) => {
    const range: Range = ctx.query.range === 'week' ? 'week' : 'day';
    render(ctx, CONSOLE.dashboard.title, 'dashboard', dashboardPage(await dashboard(db, range)), ['/ops/assets/chart.umd.min.js', '/ops/assets/console.js']);
  });

  reviewRoutes(router, deps, s, guards);
  labelRoutes(router, deps, s, guards);
  adminRoutes(router, deps, s, guards);

  return router;
}
