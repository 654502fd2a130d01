// The JSON endpoints behind the pages (/h5/api/...). Every body is validated by the services' schemas;
// every refusal is JSON {error, message, issues?} with the message in the subscriber's language.
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { H5 } from '../../copy/h5';
import type { Deps } from '../deps';
import { HttpError } from '../http/errors';
import { LIST_LIMIT, type ListName } from '../protection/preferences';
import { LIST_NAMES } from '../settings/lists-service';
import { parseOrRefuse, PreferenceError } from '../settings/preferences-service';
import { stateOf } from '../settings/protection-service';
import type { AuditSource } from '../audit/audit';
import { h5State, type H5Auth } from './auth';
import { jsonBody, rawBody } from './body';
import { recentInterceptions } from '../interceptions/page-items';
import type { H5Services } from './services';

const FROM_H5: AuditSource = { actor: 'subscriber', channel: 'h5' };

const STATUS: Record<PreferenceError['code'], number> = { invalid: 400, bad_number: 400, fraud_locked: 422, list_full: 409, not_found: 404, not_enabled: 409, public_service: 422 };

/** The refusal in the subscriber's words; an invalid field is named (开始时间填写有误), not just "输入有误". */
function refusalMessage(e: PreferenceError): string {
  const path = e.code === 'invalid' ? e.issues[0]?.path.split('.') : undefined;
  const name = path?.filter((p) => !/^\d+$/.test(p)).reverse().find((p) => H5.fields[p]);
  if (!path || !name) return H5.errors[e.code] ?? e.code;
  return H5.invalidField(H5.fields[name], path[0] === 'quietHours' && name !== 'quietHours');
}

/** Turns refusals into JSON the page script can show; anything unexpected stays a 500 for the boundary. */
export async function jsonErrors(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } catch (e) {
    if (e instanceof PreferenceError) {
      ctx.status = STATUS[e.code];
      ctx.body = { error: e.code, message: refusalMessage(e), ...(e.issues.length ? { issues: e.issues } : {}) };
    } else if (e instanceof HttpError) {
      ctx.status = e.status;
      ctx.body = { error: e.code, message: H5.errors[e.code] ?? e.message };
    } else throw e;
  }
}

const listParam = (ctx: Context & { params: Record<string, string> }): ListName => {
  const l = ctx.params.list as ListName;
  if (!LIST_NAMES.includes(l)) throw new HttpError(404, 'not_found', 'no such list');
  return l;
};

const protectionAction = z.strictObject({ action: z.enum(['enable', 'pause', 'resume']) });
const deleteConfirmation = z.strictObject({ confirm: z.literal(true) });

export function mountApi(router: Router, deps: Deps, s: H5Services, auth: H5Auth): void {
  const api = [jsonErrors, auth.api];
  const me = (ctx: Context) => h5State(ctx).subscriber.id;

  router.get('/api/preferences', ...api, async (ctx) => {
    const id = me(ctx);
    const [preferences, binding, counts] = await Promise.all([s.preferences.view(id), s.bindings.forSubscriber(id), s.lists.counts(id)]);
    const state = !preferences.enabled ? 'off' : preferences.paused ? 'paused' : 'on';
    ctx.body = { phone: binding ? s.bindings.maskedPhoneOf(binding) : null, state, counts, limit: LIST_LIMIT, preferences };
  });

  router.put('/api/categories', ...api, async (ctx) => {
    ctx.body = await s.preferences.setCategoryModes(me(ctx), await jsonBody(ctx), FROM_H5);
  });
  router.put('/api/behaviour', ...api, async (ctx) => {
    ctx.body = await s.preferences.setBehaviour(me(ctx), await jsonBody(ctx), FROM_H5);
  });
  router.put('/api/time-windows', ...api, async (ctx) => {
    ctx.body = await s.preferences.setTimeWindows(me(ctx), await jsonBody(ctx), FROM_H5);
  });
  router.put('/api/breakthrough', ...api, async (ctx) => {
    ctx.body = await s.preferences.setBreakthrough(me(ctx), await jsonBody(ctx), FROM_H5);
  });
  router.put('/api/notices', ...api, async (ctx) => {
    ctx.body = await s.preferences.setNotices(me(ctx), await jsonBody(ctx), FROM_H5);
  });

  router.post('/api/protection', ...api, async (ctx) => {
    const { action } = parseOrRefuse(protectionAction, await jsonBody(ctx));
    const { subscriber } = h5State(ctx);
    if (action === 'enable') {
      const binding = await s.bindings.forSubscriber(subscriber.id);
      if (!binding) throw new HttpError(409, 'not_bound', 'bind a phone first');
      const { changed } = await s.protection.enable(subscriber.id, FROM_H5);
      if (changed && s.announceEnabled) await s.announceEnabled(subscriber.id, subscriber.openid, s.bindings.phoneOf(binding));
      ctx.body = { changed, state: stateOf(await s.protection.get(subscriber.id)) };
      return;
    }
    ctx.body = await s.preferences.setPaused(subscriber.id, action === 'pause', FROM_H5);
  });

  router.get('/api/lists/:list', ...api, async (ctx) => {
    const entries = await s.lists.entries(me(ctx), listParam(ctx));
    ctx.body = { entries, count: entries.length, limit: LIST_LIMIT };
  });
  router.post('/api/lists/import', ...api, async (ctx) => {
    const list = ctx.query.list;
    if (list !== undefined && !LIST_NAMES.includes(list as ListName)) throw new PreferenceError('invalid', [{ path: 'list', message: 'reject or allow' }]);
    let text: string;
    if (ctx.is('text/csv', 'text/plain')) text = await rawBody(ctx, 256 * 1024);
    else {
      const body = parseOrRefuse(z.strictObject({ csv: z.string().max(256 * 1024) }), await jsonBody(ctx, 300 * 1024));
      text = body.csv;
    }
    ctx.body = await s.lists.importCsv(me(ctx), text, FROM_H5, { defaultList: list as ListName | undefined });
  });
  router.post('/api/lists/:list', ...api, async (ctx) => {
    const r = await s.lists.add(me(ctx), listParam(ctx), await jsonBody(ctx), FROM_H5);
    ctx.status = r.changed ? 201 : 200;
    ctx.body = r;
  });
  router.delete('/api/lists/:list/:id', ...api, async (ctx) => {
    const id = /^\d{1,12}$/.test(ctx.params.id) ? Number(ctx.params.id) : 0;
    ctx.body = { removed: await s.lists.remove(me(ctx), listParam(ctx), id, FROM_H5) };
  });
  router.get('/api/lists.csv', ...api, async (ctx) => {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment('fangsaorao-lists.csv');
    ctx.body = await s.lists.exportCsv(me(ctx));
  });

  router.get('/api/interceptions', ...api, async (ctx) => {
    ctx.body = await recentInterceptions(deps.db, deps.vault, me(ctx));
  });

  router.get('/api/data/export', ...api, async (ctx) => {
    const data = await s.dataRights.exportAll(me(ctx));
    if (!data) throw new HttpError(401, 'no_session', 'sign in again');
    ctx.attachment(`fangsaorao-data-${new Date().toISOString().slice(0, 10)}.json`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(data, null, 2);
  });
  router.post('/api/data/unbind', ...api, async (ctx) => {
    ctx.body = await s.dataRights.unbind(me(ctx), FROM_H5);
  });
  router.post('/api/data/cancel', ...api, async (ctx) => {
    ctx.body = await s.dataRights.cancel(me(ctx), FROM_H5);
  });
  router.post('/api/data/delete', ...api, async (ctx) => {
    parseOrRefuse(deleteConfirmation, await jsonBody(ctx));
    const report = await s.dataRights.deleteAll(me(ctx), FROM_H5);
    auth.signOut(ctx);
    ctx.body = report;
  });
}
