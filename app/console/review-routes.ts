// The console's review work: reports and 12321 complaints, and appeals (labels by hand: label-routes.ts).
// Every action needs the review role and leaves an audit row.
import type Router from '@koa/router';
import type { Deps } from '../deps';
import { isCategoryCode } from '../reports/categories';
import { auditAction, opsState } from './auth';
import { act, reasonOf, render, type Guards } from './page-kit';
import { appealsPage } from './pages/appeals';
import { reportsPage } from './pages/reports';
import type { ConsoleServices } from './router';
import { CONSOLE } from './texts';

export function reviewRoutes(router: Router, deps: Deps, s: ConsoleServices, { signedIn, needs }: Guards): void {
  const { db } = deps;
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
}
