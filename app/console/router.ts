// Everything under /ops: the sign-in, the pages, their form posts and our own assets (Chart.js from
// node_modules included: nothing is loaded from another origin). Forms post back and redirect (303) to the
// page with a short outcome code, so a reload never repeats an action.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { In, MoreThanOrEqual } from 'typeorm';
import { AuditEvent, Notice } from '../../entities';
import type { Deps } from '../deps';
import { findSubscriberByPhone, type SubscriberCard } from '../ops/subscriber-lookup';
import { OpsError } from '../ops/context';
import { replayFailedNotices } from '../ops/replay-notices';
import { isLabelCategory } from '../labels/categories';
import { normalizeNumber } from '../protection/numbers';
import { AppealRefused, type AppealService } from '../reports/appeal-service';
import { isCategoryCode } from '../reports/categories';
import type { DbLabelPort } from '../labels/evidence';
import { ReviewRefused, type ReportReview } from '../reports/report-review';
import { CONSOLE_JS } from './assets/script';
import { CONSOLE_CSS } from './assets/style';
import { auditAction, consoleAuth, formBody, opsState, refuse } from './auth';
import { dashboard, type Range } from './dashboard-data';
import type { OperatorService } from './operators';
import { appealsPage } from './pages/appeals';
import { auditPage } from './pages/audit';
import { dashboardPage } from './pages/dashboard';
import { labelsPage } from './pages/labels';
import { page, signInPage, type Raw } from './pages/layout';
import { noticesPage } from './pages/notices';
import { publicServicePage } from './pages/public-service';
import { PublicServiceInputError } from '../protection/public-service-sync';
import { reportsPage } from './pages/reports';
import { subscribersPage } from './pages/subscribers';
import type { PublicServiceList } from './public-service';
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
/** What an action reports back to its page: ok=<code> or err=<code>, with figures. */
type Outcome = { ok?: string; err?: string; n?: number; t?: number };
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

const flashText = (ctx: Context) => {
  const ok = typeof ctx.query.ok === 'string' ? ctx.query.ok : null;
  const err = typeof ctx.query.err === 'string' ? ctx.query.err : null;
  const code = ok ?? err;
  if (!code) return null;
  const t = CONSOLE.flash[code];
  if (!t) return null;
  const text = typeof t === 'function' ? t(Number(ctx.query.n) || 0, Number(ctx.query.t) || 0) : t;
  return { ok: !!ok, text };
};

const reasonOf = (form: URLSearchParams, field = 'reason') => {
  const r = (form.get(field) ?? '').trim();
  return r.length >= 4 ? r.slice(0, 200) : null;
};

/** Refusals the domain services raise, as the outcome code the page words. */
function refusalCode(e: unknown): string | null {
  if (e instanceof ReviewRefused || e instanceof AppealRefused) return e.code;
  if (e instanceof OpsError) return /reason/.test(e.message) ? 'reason_required' : 'bad_number';
  return null;
}

export function consoleRouter(deps: Deps, s: ConsoleServices): Router {
  const { db } = deps;
  const sessions = new SessionStore(deps.store);
  const { signedIn, needs } = consoleAuth(db, sessions, s.operators);
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

  const render = (ctx: Context, title: string, active: string, body: Raw, scripts?: string[]) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page({ title, active, body, session: opsState(ctx).session, flash: flashText(ctx), scripts });
  };
  const back = (ctx: Context, to: string, outcome: Outcome) => {
    ctx.status = 303;
    ctx.redirect(`${to}${to.includes('?') ? '&' : '?'}${new URLSearchParams(Object.entries(outcome).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))}`);
  };
  /** Runs an action; a refusal of the domain goes back to the page as its code. */
  const act = (to: (ctx: Context) => string, fn: (ctx: Context) => Promise<Outcome>) => async (ctx: Context) => {
    try {
      back(ctx, to(ctx), await fn(ctx));
    } catch (e) {
      const code = refusalCode(e);
      if (!code) throw e;
      back(ctx, to(ctx), { err: code });
    }
  };

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

  // ——— reports and 12321 complaints ———
  router.get('/reports', signedIn, async (ctx) => {
    const [complaints, numbers] = await Promise.all([s.review.dueComplaints(), s.review.numbers({ limit: 200 })]);
    render(ctx, CONSOLE.reports.title, 'reports', reportsPage({ complaints, numbers, session: opsState(ctx).session }));
  });
  router.post(
    '/reports/review',
    signedIn,
    needs('review'),
    act(
      () => '/ops/reports',
      async (ctx) => {
        const { form, session } = opsState(ctx);
        const decision = form.get('decision');
        const category = form.get('category') || undefined;
        const reason = reasonOf(form);
        if (decision !== 'confirm' && decision !== 'dismiss') return { err: 'bad_input' };
        if (category !== undefined && !isCategoryCode(category)) return { err: 'bad_category' };
        if (!reason) return { err: 'reason_required' };
        const r = await s.review.review(form.get('number') ?? '', decision, { operator: session.name, reason, category });
        await auditAction(db, session, `reports_${decision}`, { number: r.number, reports: r.reports, category: r.category, reason });
        return { ok: 'reviewed' };
      },
    ),
  );
  router.post(
    '/complaints/:id/handle',
    signedIn,
    needs('review'),
    act(
      () => '/ops/reports',
      async (ctx) => {
        const id = Number(ctx.params.id);
        if (!Number.isSafeInteger(id)) return { err: 'not_found' };
        await s.review.handleComplaint(id, opsState(ctx).session.name);
        await auditAction(db, opsState(ctx).session, 'complaint_handled', { report: id });
        return { ok: 'handled' };
      },
    ),
  );

  // ——— appeals ———
  router.get('/appeals', signedIn, async (ctx) => {
    render(ctx, CONSOLE.appeals.title, 'appeals', appealsPage({ appeals: await s.appeals.list({ status: 'open', limit: 200 }), session: opsState(ctx).session }));
  });
  router.post(
    '/appeals/:id/resolve',
    signedIn,
    needs('review'),
    act(
      () => '/ops/appeals',
      async (ctx) => {
        const { form, session } = opsState(ctx);
        const id = Number(ctx.params.id);
        const decision = form.get('decision');
        const resolution = reasonOf(form, 'resolution');
        if (!Number.isSafeInteger(id)) return { err: 'not_found' };
        if (decision !== 'upheld' && decision !== 'rejected') return { err: 'bad_input' };
        if (!resolution) return { err: 'reason_required' };
        const r = await s.appeals.resolve(id, decision, { operator: session.name, resolution });
        await auditAction(db, session, `appeal_${decision}`, { appeal: id, labelsCleared: r.labelsCleared, reportsDismissed: r.reportsDismissed });
        return { ok: 'resolved' };
      },
    ),
  );

  // ——— labels ———
  const numberParam = (raw: unknown) => {
    if (typeof raw !== 'string' || !raw.trim()) return null;
    const n = normalizeNumber(raw.slice(0, 24));
    return n.kind === 'invalid' ? undefined : n.value;
  };
  router.get('/labels', signedIn, async (ctx) => {
    const number = numberParam(ctx.query.number);
    if (number === undefined) ctx.query.err = 'bad_number';
    const [labels, history] = number ? await Promise.all([s.labels.labelsOf(number), s.labels.historyOf(number)]) : [[], []];
    render(ctx, CONSOLE.labels.title, 'labels', labelsPage({ number: number ?? null, labels, history, session: opsState(ctx).session }));
  });
  const labelsOf = (ctx: Context) => {
    const n = numberParam(opsState(ctx).form.get('number'));
    return n ? `/ops/labels?number=${encodeURIComponent(n)}` : '/ops/labels';
  };
  router.post(
    '/labels/set',
    signedIn,
    needs('review'),
    act(labelsOf, async (ctx) => {
      const { form, session } = opsState(ctx);
      const number = numberParam(form.get('number'));
      const category = form.get('category') ?? '';
      const confidence = Number(form.get('confidence') ?? '0.9');
      const reason = reasonOf(form);
      if (!number) return { err: 'bad_number' };
      if (!isLabelCategory(category)) return { err: 'bad_category' };
      if (!(confidence > 0 && confidence <= 1)) return { err: 'bad_input' };
      if (!reason) return { err: 'reason_required' };
      await s.labels.setByOperator({ number, category, confidence, expiresAt: null, actor: `operator:${session.name}`, reason });
      await auditAction(db, session, 'label_set', { number, category, confidence, reason });
      return { ok: 'labelSet' };
    }),
  );
  router.post(
    '/labels/clear',
    signedIn,
    needs('review'),
    act(labelsOf, async (ctx) => {
      const { form, session } = opsState(ctx);
      const number = numberParam(form.get('number'));
      const category = form.get('category') || undefined;
      const reason = reasonOf(form);
      if (!number) return { err: 'bad_number' };
      if (category !== undefined && !isLabelCategory(category)) return { err: 'bad_category' };
      if (!reason) return { err: 'reason_required' };
      const removed = await s.labels.clear({ number, category, by: 'operator', actor: `operator:${session.name}`, reason });
      await auditAction(db, session, 'label_cleared', { number, category, removed, reason });
      return { ok: 'labelCleared' };
    }),
  );

  // ——— public-service numbers ———
  router.get('/public-service', signedIn, async (ctx) => {
    render(ctx, CONSOLE.publicService.title, 'publicService', publicServicePage({ entries: s.publicService ? await s.publicService.list() : null, session: opsState(ctx).session }));
  });
  for (const op of ['add', 'remove'] as const) {
    router.post(
      `/public-service/${op}`,
      signedIn,
      needs('administer'),
      act(
        () => '/ops/public-service',
        async (ctx) => {
          const { form, session } = opsState(ctx);
          if (!s.publicService) return { err: 'bad_input' };
          const number = numberParam(form.get('number'));
          const name = (form.get('name') ?? '').trim().slice(0, 40);
          if (!number) return { err: 'bad_number' };
          if (op === 'add' && !name) return { err: 'bad_input' };
          try {
            if (op === 'add') await s.publicService.add({ number, name, operator: session.name });
            else await s.publicService.remove({ number, operator: session.name });
          } catch (e) {
            // Not a public-service spelling, or a built-in (emergency, anti-fraud) number nobody may remove.
            if (e instanceof PublicServiceInputError) return { err: 'bad_number' };
            throw e;
          }
          await auditAction(db, session, `public_service_${op}`, { number, name: op === 'add' ? name : undefined });
          return { ok: op === 'add' ? 'added' : 'removed' };
        },
      ),
    );
  }

  // ——— subscribers: the phone only ever in a POST body ———
  const showSubscriber = async (ctx: Context, reveal: boolean) => {
    const { form, session } = opsState(ctx);
    const phone = (form.get('phone') ?? '').trim().slice(0, 20);
    const reason = reveal ? reasonOf(form) : null;
    let card: SubscriberCard | null = null;
    let err: string | null = null;
    if (reveal && !reason) err = 'reason_required';
    else {
      try {
        card = await findSubscriberByPhone(deps, phone, reveal ? { operator: session.name, reason: reason!, channel: 'console' } : undefined);
        if (!card) err = 'no_subscriber';
      } catch (e) {
        err = refusalCode(e);
        if (!err) throw e;
      }
    }
    await auditAction(db, session, reveal ? 'subscriber_revealed' : 'subscriber_lookup', { subscriber: card?.subscriberId ?? null, reason: reason ?? undefined, found: !!card });
    if (err) ctx.query = { err };
    render(ctx, CONSOLE.subscribers.title, 'subscribers', subscribersPage({ card, query: card ? phone : '', session }));
  };
  router.get('/subscribers', signedIn, (ctx) => render(ctx, CONSOLE.subscribers.title, 'subscribers', subscribersPage({ card: null, query: '', session: opsState(ctx).session })));
  router.post('/subscribers/find', signedIn, (ctx) => showSubscriber(ctx, false));
  router.post('/subscribers/reveal', signedIn, needs('administer'), (ctx) => showSubscriber(ctx, true));

  // ——— failed notices ———
  router.get('/notices', signedIn, async (ctx) => {
    const notices = await db.getRepository(Notice).find({ where: { state: In(['failed', 'uncertain']), createdAt: MoreThanOrEqual(new Date(Date.now() - 30 * 86_400_000)) }, order: { id: 'DESC' }, take: 200 });
    render(ctx, CONSOLE.notices.title, 'notices', noticesPage({ notices, session: opsState(ctx).session }));
  });
  router.post(
    '/notices/replay',
    signedIn,
    needs('administer'),
    act(
      () => '/ops/notices',
      async (ctx) => {
        const { form, session } = opsState(ctx);
        const days = Number(form.get('days') ?? '7');
        if (!(days > 0 && days <= 90)) return { err: 'bad_input' };
        const includeUncertain = form.get('includeUncertain') === '1';
        const r = await replayFailedNotices(deps, { since: new Date(Date.now() - days * 86_400_000), includeUncertain, operator: session.name });
        await auditAction(db, session, 'notices_replayed', { days, includeUncertain, requeued: r.requeued, total: r.total });
        return { ok: 'replayed', n: r.requeued, t: r.total };
      },
    ),
  );

  // ——— the audit trail of operators ———
  router.get('/audit', signedIn, async (ctx) => {
    const rows = await db.getRepository(AuditEvent).find({ where: { actor: 'operator' }, order: { id: 'DESC' }, take: 200 });
    render(ctx, CONSOLE.audit.title, 'audit', auditPage(rows));
  });

  return router;
}
