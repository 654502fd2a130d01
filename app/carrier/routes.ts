// The carrier API's routes (docs/interfaces.md "Carrier API endpoints"). Each route: authenticate (auth.ts), validate
// every field, call one service, answer JSON.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { Deps } from '../deps';
import { carrierAuth, type CarrierRequest } from './auth';
import type { InterceptionService } from './interception-service';
import { refuse } from './json-error';
import { plainScreenBatch, plainScreenCall } from './screen-call-fast';
import { BODY_LIMITS } from './limits';
import { carrierDecisions, carrierInterceptions } from './metrics';
import { carrierOpenApi } from './openapi';
import type { LabelFeed, ScreenService } from './ports';
import { type Decision, interceptionsSchema, MAX_BATCH, labelsQuerySchema, screenBatchSchema, screenCallSchema } from './schemas';

/** The route name of the JSON 404/405 fallback (not an endpoint). */
export const CARRIER_FALLBACK = 'carrier-fallback';

export interface CarrierServices {
  screen: ScreenService;
  labels: LabelFeed;
  interceptions: InterceptionService;
}

/** Parses or answers 400 naming the first offending field; undefined means the answer is already set. */
function valid<S extends z.ZodType>(ctx: Context, schema: S, value: unknown): z.infer<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map(String).join('.') || '(body)';
  refuse(ctx, 400, 'invalid_request', `${field}: ${issue.message}`, { field });
  return undefined;
}

// Only the contract's fields leave, whatever else the engine attached to its answer.
function publicDecision(d: Decision): Decision {
  return d.category ? { action: d.action, reason: d.reason, category: d.category } : { action: d.action, reason: d.reason };
}

// Counted per action once per request: a labelled counter per decision would cost a batch 1,000 label lookups.
function countDecisions(ds: readonly Decision[]): void {
  if (ds.length === 1) return carrierDecisions.inc({ action: ds[0].action });
  const tally = new Map<string, number>();
  for (const d of ds) tally.set(d.action, (tally.get(d.action) ?? 0) + 1);
  for (const [action, n] of tally) carrierDecisions.inc({ action }, n);
}

export function carrierRouter(deps: Pick<Deps, 'config' | 'store'>, services: CarrierServices): Router {
  const router = new Router();
  const auth = (maxBodyBytes: number) => carrierAuth(deps, { maxBodyBytes });
  const request = (ctx: Context) => ctx.state.carrier as CarrierRequest;

  router.get('/carrier/openapi.json', (ctx) => {
    ctx.body = carrierOpenApi();
  });

  router.post('/carrier/v1/screen', auth(BODY_LIMITS.screen), async (ctx) => {
    const body = request(ctx).body;
    const call = plainScreenCall(body) ?? valid(ctx, screenCallSchema, body);
    if (!call) return;
    const decision = await services.screen.screen(call);
    countDecisions([decision]);
    ctx.body = publicDecision(decision);
  });

  router.post('/carrier/v1/screen/batch', auth(BODY_LIMITS.batch), async (ctx) => {
    const body = request(ctx).body;
    const plain = plainScreenBatch(body, MAX_BATCH);
    const batch = plain ? { calls: plain } : valid(ctx, screenBatchSchema, body);
    if (!batch) return;
    const results = await services.screen.screenBatch(batch.calls);
    if (results.length !== batch.calls.length) throw new Error(`screenBatch answered ${results.length} decisions for ${batch.calls.length} calls`);
    countDecisions(results);
    ctx.body = { results: results.map(publicDecision) };
  });

  router.post('/carrier/v1/interceptions', auth(BODY_LIMITS.interceptions), async (ctx) => {
    const { keyId, body } = request(ctx);
    const input = valid(ctx, interceptionsSchema, body);
    if (!input) return;
    const { accepted, duplicates } = await services.interceptions.record(input.events, { keyId });
    carrierInterceptions.inc({ result: 'accepted' }, accepted);
    carrierInterceptions.inc({ result: 'duplicate' }, duplicates);
    ctx.body = { accepted, duplicates };
  });

  router.get('/carrier/v1/labels', auth(BODY_LIMITS.get), async (ctx) => {
    const q = valid(ctx, labelsQuerySchema, ctx.query);
    if (!q) return;
    // One more than asked tells whether another page follows without a second query.
    const changes = await services.labels.changesSince(q.since, q.limit + 1);
    const labels = changes.slice(0, q.limit);
    ctx.body = { labels, nextSince: labels.length ? labels[labels.length - 1].version : q.since, hasMore: changes.length > q.limit };
  });

  // Anything else under /carrier answers JSON too: 405 with Allow on a known path, 404 elsewhere.
  const known = new Map<string, string[]>();
  for (const layer of router.stack) known.set(layer.path as string, [...(known.get(layer.path as string) ?? []), ...layer.methods]);
  router.all(CARRIER_FALLBACK, '/carrier/{*rest}', (ctx) => {
    const allowed = known.get(ctx.path);
    if (!allowed) return refuse(ctx, 404, 'not_found', `no carrier endpoint at ${ctx.path}`);
    ctx.set('Allow', allowed.join(', '));
    refuse(ctx, 405, 'method_not_allowed', `${ctx.path} accepts ${allowed.filter((m) => m !== 'HEAD').join(', ')}`);
  });

  return router;
}
