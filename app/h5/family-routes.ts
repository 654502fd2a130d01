// The family page (/h5/family) and its JSON endpoints (/h5/api/family…), behind the same sign-in, CSRF
// and error shapes as every other page.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { FAMILY } from '../../copy/family';
import type { AuditSource } from '../audit/audit';
import { FamilyError, type FamilyService } from '../family/links';
import type { Deps } from '../deps';
import { HttpError } from '../http/errors';
import { parseOrRefuse } from '../settings/preferences-service';
import { jsonErrors } from './api-routes';
import { h5State, type H5Auth } from './auth';
import { jsonBody } from './body';
import { recentInterceptions } from '../interceptions/page-items';
import { familyPage, familyRecordsPage } from './pages/family';
import type { H5Cookies } from './session';
import type { H5Services } from './services';

const FROM_H5: AuditSource = { actor: 'subscriber', channel: 'h5' };
const STATUS: Record<string, number> = { bad_number: 400, self: 400, full: 409, pending: 409, active: 409, rate_guardian: 429, rate_target: 429, not_bound: 409, not_found: 404, not_active: 409, member_off: 409 };

const addSchema = z.strictObject({ phone: z.string().min(1).max(20) });
const protectionSchema = z.strictObject({ action: z.enum(['pause', 'resume']) });
const quitSchema = z.strictObject({ confirm: z.literal(true) });

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof FamilyError) throw new HttpError(STATUS[e.code] ?? 400, e.code, FAMILY.errors[e.code] ?? e.code);
    throw e;
  }
}

const linkParam = (ctx: Context & { params: Record<string, string> }) => {
  if (!/^\d{1,12}$/.test(ctx.params.link)) throw new HttpError(404, 'not_found', FAMILY.errors.not_found);
  return Number(ctx.params.link);
};

export function mountFamily(router: Router, deps: Deps, s: H5Services, family: FamilyService, auth: H5Auth, cookies: H5Cookies, render: (ctx: Context, html: string) => void): void {
  const me = (ctx: Context) => h5State(ctx).subscriber.id;
  const csrf = (ctx: Context) => cookies.csrfToken(h5State(ctx).session);
  const api = [jsonErrors, auth.api];

  router.get('/family', auth.page, async (ctx) => {
    const id = me(ctx);
    const [list, binding] = await Promise.all([family.list(id), s.bindings.forSubscriber(id)]);
    render(ctx, familyPage({ ...list, bound: !!binding }, csrf(ctx)));
  });
  router.get('/family/:link/records', auth.page, async (ctx, next) => {
    let m: { masked: string; subscriberId: number };
    try {
      m = await family.activeMember(me(ctx), { linkId: linkParam(ctx) });
    } catch (e) {
      if (e instanceof FamilyError || e instanceof HttpError) return next(); // the 404 page
      throw e;
    }
    render(ctx, familyRecordsPage(m.masked, await recentInterceptions(deps.db, deps.vault, m.subscriberId), csrf(ctx)));
  });

  router.get('/api/family', ...api, async (ctx) => {
    ctx.body = await family.list(me(ctx));
  });
  router.post('/api/family', ...api, async (ctx) => {
    const { phone } = parseOrRefuse(addSchema, await jsonBody(ctx));
    const r = await refusing(() => family.request(me(ctx), phone, FROM_H5));
    ctx.status = 201;
    ctx.body = { member: r.masked, state: 'pending', expiresAt: r.expiresAt.toISOString() };
  });
  router.post('/api/family/quit', ...api, async (ctx) => {
    parseOrRefuse(quitSchema, await jsonBody(ctx));
    const binding = await s.bindings.forSubscriber(me(ctx));
    if (!binding) throw new HttpError(409, 'not_bound', FAMILY.errors.not_bound);
    ctx.body = { ended: await family.endByMember(binding.phoneHash, FROM_H5) };
  });
  router.delete('/api/family/:link', ...api, async (ctx) => {
    const linkId = linkParam(ctx);
    ctx.body = { removed: await refusing(() => family.endByGuardian(me(ctx), { linkId }, FROM_H5)) };
  });
  router.post('/api/family/:link/protection', ...api, async (ctx) => {
    const linkId = linkParam(ctx);
    const { action } = parseOrRefuse(protectionSchema, await jsonBody(ctx));
    const r = await refusing(() => family.setMemberProtection(me(ctx), { linkId }, action, 'h5'));
    ctx.body = { member: r.masked, changed: r.changed, state: r.state };
  });
  router.get('/api/family/:link/interceptions', ...api, async (ctx) => {
    const linkId = linkParam(ctx);
    const m = await refusing(() => family.activeMember(me(ctx), { linkId }));
    ctx.body = { member: m.masked, ...(await recentInterceptions(deps.db, deps.vault, m.subscriberId)) };
  });
}
