// The 营销授权 page and its JSON endpoints: list the phone's consents, revoke one or all.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { ConsentService } from '../marketers/consent-service';
import type { BindingService } from '../binding/binding-service';
import { parseOrRefuse } from '../settings/preferences-service';
import { jsonErrors } from './api-routes';
import { h5State, type H5Auth } from './auth';
import { jsonBody } from './body';
import { consentsPage } from './pages/consents';
import type { H5Cookies } from './session';

const revokeBody = z.union([z.strictObject({ id: z.number().int().positive() }), z.strictObject({ all: z.literal(true) })]);

export function mountConsents(router: Router, s: { consents: ConsentService; bindings: BindingService }, auth: H5Auth, cookies: H5Cookies, render: (ctx: Context, html: string) => void): void {
  const phoneOf = async (ctx: Context) => {
    const id = h5State(ctx).subscriber.id;
    const b = await s.bindings.forSubscriber(id);
    return { id, phone: b ? s.bindings.phoneOf(b) : null };
  };

  router.get('/consents', auth.page, async (ctx) => {
    const { phone } = await phoneOf(ctx);
    render(ctx, consentsPage({ bound: !!phone, consents: phone ? await s.consents.listFor(phone) : [] }, cookies.csrfToken(h5State(ctx).session)));
  });

  router.get('/api/consents', jsonErrors, auth.api, async (ctx) => {
    const { phone } = await phoneOf(ctx);
    ctx.body = { consents: phone ? await s.consents.listFor(phone) : [] };
  });

  router.post('/api/consents/revoke', jsonErrors, auth.api, async (ctx) => {
    const body = parseOrRefuse(revokeBody, await jsonBody(ctx));
    const { id, phone } = await phoneOf(ctx);
    const revoked = phone ? await s.consents.revoke(id, phone, 'all' in body ? 'all' : [body.id], { actor: 'subscriber', channel: 'h5' }) : 0;
    ctx.body = { revoked };
  });
}
