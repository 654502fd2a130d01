// The console's labels page: a number's labels and their history, set or cleared by hand with a reason.
// Both actions need the review role and leave an audit row.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../deps';
import { isLabelCategory } from '../labels/categories';
import { auditAction, opsState } from './auth';
import { act, numberParam, reasonOf, render, type Guards } from './page-kit';
import { labelsPage } from './pages/labels';
import type { ConsoleServices } from './router';
import { CONSOLE } from './texts';

export function labelRoutes(router: Router, deps: Deps, s: ConsoleServices, { signedIn, needs }: Guards): void {
  const { db } = deps;
  // ——— labels ———
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
}
