// The console's administration: the never-blocked public-service list, finding a subscriber by phone
// (revealing needs the administer role and a reason), failed notices and their replay, the operators' audit trail.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { In, MoreThanOrEqual } from 'typeorm';
import { AuditEvent, Notice } from '../../entities';
import type { Deps } from '../deps';
import { replayFailedNotices } from '../ops/replay-notices';
import { findSubscriberByPhone, type SubscriberCard } from '../ops/subscriber-lookup';
import { PublicServiceInputError } from '../protection/public-service-sync';
import { auditAction, opsState } from './auth';
import { act, numberParam, reasonOf, refusalCode, render, type Guards } from './page-kit';
import { auditPage } from './pages/audit';
import { noticesPage } from './pages/notices';
import { publicServicePage } from './pages/public-service';
import { subscribersPage } from './pages/subscribers';
import type { ConsoleServices } from './router';
import { CONSOLE } from './texts';

export function adminRoutes(router: Router, deps: Deps, s: ConsoleServices, { signedIn, needs }: Guards): void {
  const { db } = deps;
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
}
