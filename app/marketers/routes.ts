// The marketer API's routes: authenticate (the carrier API's signing, with MARKETER_KEYS), check the
// frame of the body, take the daily quota, call one service, audit, answer JSON.
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { signedRequestAuth, type CarrierRequest } from '../carrier/auth';
import { jsonFallback, refuse, valid } from '../carrier/json-error';
import { audit } from '../audit/audit';
import type { Deps } from '../deps';
import type { ChangesFeed } from './changes-feed';
import type { ConsentService } from './consent-service';
import { marketerConsents, marketerRefusals, marketerScrubbed } from './metrics';
import { marketerOpenApi } from './openapi';
import { DailyQuota } from './quota';
import { changesQuerySchema, consentsRequestSchema, jobQuerySchema, MAX_SCRUB, scrubRequestSchema } from './schemas';
import type { ScrubService } from './scrub-service';
import { JobRefused, parseNumbers, type ScrubJobs } from './scrub-jobs';
import { MARKETING_CATEGORIES } from './categories';

export const MARKETER_BODY_LIMITS = { scrub: 1024 * 1024, consents: 4 * 1024 * 1024, job: 20 * 1024 * 1024, get: 1024 } as const;
const CATEGORIES: ReadonlySet<string> = new Set(MARKETING_CATEGORIES);

export interface MarketerServices {
  scrub: ScrubService;
  consents: ConsentService;
  changes: ChangesFeed;
  jobs: ScrubJobs;
}

/** The scrub body when it is certainly valid (the common case, checked without zod's per-element cost). */
function plainScrub(body: unknown): { category: string; numbers: string[]; at?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.category !== 'string' || !CATEGORIES.has(b.category) || b.at !== undefined) return undefined;
  const numbers = b.numbers;
  if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > MAX_SCRUB) return undefined;
  for (const n of numbers) if (typeof n !== 'string' || n.length > 32) return undefined;
  return { category: b.category, numbers: numbers as string[] };
}

export function marketerRouter(deps: Pick<Deps, 'config' | 'store' | 'db'>, services: MarketerServices): Router {
  const router = new Router();
  const cfg = deps.config.marketer;
  const auth = (maxBodyBytes: number, json = true) =>
    signedRequestAuth(deps.store, { scope: 'marketer', keys: cfg.keys, ratePerSecond: cfg.rateLimit, onRefusal: (reason) => marketerRefusals.inc({ reason }) }, { maxBodyBytes, json });
  const request = (ctx: Context) => ctx.state.marketer as CarrierRequest;
  const quota = new DailyQuota(deps.store, cfg.dailyQuota);

  router.get('/marketer/openapi.json', (ctx) => {
    ctx.body = marketerOpenApi(deps.config);
  });

  router.post('/marketer/v1/scrub', auth(MARKETER_BODY_LIMITS.scrub), async (ctx) => {
    const { keyId, body } = request(ctx);
    const input = plainScrub(body) ?? valid(ctx, scrubRequestSchema, body);
    if (!input) return;
    const q = await quota.take(keyId, input.numbers.length);
    if (!q.ok) {
      marketerRefusals.inc({ reason: 'quota_exceeded' });
      ctx.set('Retry-After', String(q.retryAfterSec));
      return refuse(ctx, 429, 'quota_exceeded', `more than ${cfg.dailyQuota} numbers scrubbed today (China time) for this key`);
    }
    const at = input.at ? Date.parse(input.at) : Date.now();
    const results = await services.scrub.scrub(keyId, input.category, input.numbers, at);
    const tally: Record<string, number> = {};
    for (const r of results) tally[r.reason] = (tally[r.reason] ?? 0) + 1;
    for (const [reason, n] of Object.entries(tally)) marketerScrubbed.inc({ reason }, n);
    // One audit row per scrub: who asked, for what, how many, what was answered (never the numbers). One
    // INSERT is atomic by itself: no transaction around it (two round trips fewer per scrub).
    await audit(deps.db.manager, null, { actor: 'marketer', channel: 'api' }, 'marketer_scrub', { keyId, category: input.category, at: new Date(at).toISOString(), numbers: results.length, answers: tally });
    ctx.set('X-Quota-Remaining', String(q.remaining));
    ctx.body = { results };
  });

  router.post('/marketer/v1/consents', auth(MARKETER_BODY_LIMITS.consents), async (ctx) => {
    const { keyId, body } = request(ctx);
    const input = valid(ctx, consentsRequestSchema, body);
    if (!input) return;
    const out = await services.consents.record(keyId, input.consents);
    marketerConsents.inc({ result: 'accepted' }, out.accepted);
    marketerConsents.inc({ result: 'duplicate' }, out.duplicates);
    marketerConsents.inc({ result: 'rejected' }, out.rejected.length);
    ctx.body = out;
  });

  router.get('/marketer/v1/changes', auth(MARKETER_BODY_LIMITS.get), async (ctx) => {
    const { keyId } = request(ctx);
    const q = valid(ctx, changesQuerySchema, ctx.query);
    if (!q) return;
    ctx.body = await services.changes.page(keyId, q.category, q.since, q.limit);
  });

  // Files: a CSV of up to a million numbers, answered by the workers; progress, then the result as CSV.
  router.post('/marketer/v1/scrub-jobs', auth(MARKETER_BODY_LIMITS.job, false), async (ctx) => {
    const { keyId, body } = request(ctx);
    const q = valid(ctx, jobQuerySchema, ctx.query);
    if (!q) return;
    let numbers: string[];
    try {
      numbers = parseNumbers((body as Buffer).toString('utf8'));
    } catch (e) {
      if (e instanceof JobRefused) return refuse(ctx, 400, 'invalid_request', e.message);
      throw e;
    }
    const quotaOk = await quota.take(keyId, numbers.length);
    if (!quotaOk.ok) {
      marketerRefusals.inc({ reason: 'quota_exceeded' });
      ctx.set('Retry-After', String(quotaOk.retryAfterSec));
      return refuse(ctx, 429, 'quota_exceeded', `more than ${cfg.dailyQuota} numbers scrubbed today (China time) for this key`);
    }
    const job = await services.jobs.create(keyId, q.category, q.at ?? null, numbers);
    ctx.status = 202;
    ctx.set('Location', `/marketer/v1/scrub-jobs/${job.id}`);
    ctx.body = job;
  });

  router.get('/marketer/v1/scrub-jobs/:id', auth(MARKETER_BODY_LIMITS.get), async (ctx) => {
    const job = await services.jobs.view(request(ctx).keyId, ctx.params.id);
    if (!job) return refuse(ctx, 404, 'not_found', 'no such job for this key');
    ctx.body = job;
  });

  router.get('/marketer/v1/scrub-jobs/:id/result', auth(MARKETER_BODY_LIMITS.get), async (ctx) => {
    const job = await services.jobs.view(request(ctx).keyId, ctx.params.id);
    if (!job) return refuse(ctx, 404, 'not_found', 'no such job for this key');
    if (job.status !== 'done') return refuse(ctx, 409, 'not_ready', `${job.done} of ${job.total} numbers answered so far`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="scrub-${job.id}.csv"`);
    ctx.body = Readable.from(services.jobs.result(job.id));
  });

  jsonFallback(router, 'marketer-fallback', '/marketer', 'marketer');
  return router;
}
