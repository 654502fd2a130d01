// The pages themselves (server-rendered HTML), each behind the sign-in.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { LIST_NAMES } from '../settings/lists-service';
import { stateOf } from '../settings/protection-service';
import type { ListName } from '../protection/preferences';
import { h5State, type H5Auth } from './auth';
import { recentInterceptions } from '../interceptions/page-items';
import type { H5Cookies } from './session';
import type { H5Services } from './services';
import { categoriesPage } from './pages/categories';
import { dataPage } from './pages/data';
import { listPage } from './pages/list';
import { noticesPage } from './pages/notices';
import { overviewPage } from './pages/overview';
import { recordsPage } from './pages/records';
import { rulesPage } from './pages/rules';
import { mountFamily } from './family-routes';
import { isSimpleView, mountCare } from './care-routes';
import { simplePage } from './pages/simple';
import { mountRecordActions } from './records-routes';

// Pages load only our own script and stylesheet; only our own origin (the simulator's phone frame) may frame them.
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

/** A page as every H5 page is served: never cached, under the CSP (a page loading a provider's SDK widens it). */
export function renderPage(ctx: Context, htmlText: string, csp: string = CSP): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', csp);
  ctx.type = 'text/html; charset=utf-8';
  // The large-text view (关怀版), once chosen, is every page's.
  ctx.body = isSimpleView(ctx) ? htmlText.replace('<body ', '<body class="simple" ') : htmlText;
}

export function mountPages(router: Router, deps: Deps, s: H5Services, auth: H5Auth, cookies: H5Cookies): void {
  const render = renderPage;
  const who = (ctx: Context) => {
    const st = h5State(ctx);
    return { id: st.subscriber.id, csrf: cookies.csrfToken(st.session) };
  };

  mountCare(router, auth);
  if (s.appeals && s.reports) mountRecordActions(router, deps, s.appeals, s.reports, auth);
  if (s.family) mountFamily(router, deps, s, s.family, auth, cookies, render);
  router.get('/', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    const [settings, binding, counts, records] = await Promise.all([s.protection.get(id), s.bindings.forSubscriber(id), s.lists.counts(id), recentInterceptions(deps.db, deps.vault, id)]);
    if (isSimpleView(ctx)) return render(ctx, simplePage({ masked: binding ? s.bindings.maskedPhoneOf(binding) : null, state: stateOf(settings), records }, csrf));
    const prefs = await s.preferences.view(id);
    render(ctx, overviewPage({ masked: binding ? s.bindings.maskedPhoneOf(binding) : null, state: stateOf(settings), categoryModes: prefs.categoryModes, counts, recent: records.items.length }, csrf));
  });
  router.get('/categories', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    render(ctx, categoriesPage((await s.preferences.view(id)).categoryModes, csrf));
  });
  router.get('/lists/:list', auth.page, async (ctx) => {
    const list = ctx.params.list as ListName;
    if (!LIST_NAMES.includes(list)) return;
    const { id, csrf } = who(ctx);
    render(ctx, listPage(list, await s.lists.entries(id, list), csrf));
  });
  router.get('/rules', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    const p = await s.preferences.view(id);
    render(ctx, rulesPage({ behaviour: p.behaviour, timeWindows: p.options.timeWindows, breakthrough: p.options.breakthrough }, csrf));
  });
  router.get('/notices', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    render(ctx, noticesPage((await s.preferences.view(id)).notices, csrf));
  });
  router.get('/records', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    render(ctx, recordsPage(await recentInterceptions(deps.db, deps.vault, id), csrf, { actions: !!(s.appeals && s.reports) }));
  });
  router.get('/data', auth.page, async (ctx) => {
    const { id, csrf } = who(ctx);
    const [binding, settings] = await Promise.all([s.bindings.forSubscriber(id), s.protection.get(id)]);
    render(ctx, dataPage({ bound: !!binding, enabled: !!settings?.enabled }, csrf));
  });
}
