// 申诉 (误拦截: the caller goes on the allow list at once, the label is reviewed) and 标记 (label the call)
// from the records page. The number comes from the subscriber's own interception record, never the client.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { H5 } from '../../copy/h5';
import { Interception } from '../../entities/Interception';
import type { AuditSource } from '../audit/audit';
import type { Deps } from '../deps';
import { HttpError } from '../http/errors';
import { AppealRefused, type AppealService } from '../reports/appeal-service';
import { ReportRefused, type ReportService } from '../reports/report-service';
import { parseOrRefuse } from '../settings/preferences-service';
import { jsonErrors } from './api-routes';
import { h5State, type H5Auth } from './auth';
import { jsonBody } from './body';

const FROM_H5: AuditSource = { actor: 'subscriber', channel: 'h5' };
const STATUS: Record<string, number> = { not_found: 404, duplicate: 409, rate_limited: 429, own_number: 409, not_reportable: 422, bad_category: 400, bad_number: 400, already_resolved: 409 };

const idParam = (ctx: Context & { params: Record<string, string> }) => {
  if (!/^\d{1,12}$/.test(ctx.params.id)) throw new HttpError(404, 'not_found', 'no such interception');
  return Number(ctx.params.id);
};

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ReportRefused || e instanceof AppealRefused) throw new HttpError(STATUS[e.code] ?? 400, e.code, H5.errors[e.code] ?? e.code);
    throw e;
  }
}

export function mountRecordActions(router: Router, deps: Deps, appeals: Pick<AppealService, 'fileBySubscriber'>, reports: Pick<ReportService, 'markInterception'>, auth: H5Auth): void {
  const api = [jsonErrors, auth.api];
  router.post('/api/interceptions/:id/appeal', ...api, async (ctx) => {
    const subscriberId = h5State(ctx).subscriber.id;
    const row = await deps.db.getRepository(Interception).findOneBy({ id: idParam(ctx), subscriberId });
    if (!row) throw new HttpError(404, 'not_found', 'no such interception');
    const r = await refusing(() => appeals.fileBySubscriber(subscriberId, deps.vault.decrypt(row.callerCipher), { source: FROM_H5, interceptionId: row.id }));
    ctx.body = { number: r.number, allowListed: r.allowListed, alreadyOpen: r.alreadyOpen };
  });
  router.post('/api/interceptions/:id/mark', ...api, async (ctx) => {
    const subscriberId = h5State(ctx).subscriber.id;
    const id = idParam(ctx);
    const { category } = parseOrRefuse(z.strictObject({ category: z.string().min(1).max(32) }), await jsonBody(ctx));
    const r = await refusing(() => reports.markInterception(subscriberId, id, category, 'h5'));
    ctx.body = { status: r.status, number: r.number };
  });
}
