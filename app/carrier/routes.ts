// The carrier API's routes (docs/interfaces.md "Carrier API endpoints"). Each route: authenticate (auth.ts), validate
// every field, call one service, answer JSON.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Deps } from '../deps';
import { carrierAuth, type CarrierRequest } from './auth';
import type { InterceptionService } from '../interceptions/storage';
import { jsonFallback, valid } from './json-error';
import { plainScreenBatch, plainScreenCall } from './screen-call-fast';
import { guardScreen } from './screen-guard';
import { BODY_LIMITS } from './limits';
import { carrierInterceptions, countDecision } from './metrics';
import { answerJson, batchJson, decisionJson } from './decision-json';
import { carrierOpenApi } from './openapi';
import type { LabelFeed, ScreenService } from './ports';
import { type Decision, interceptionsSchema, MAX_BATCH, labelsQuerySchema, screenBatchSchema, screenCallSchema } from './schemas';

/** The route name of the JSON 404/405 fallback (not an endpoint). */
export const CARRIER_FALLBACK = 'carrier-fallback';

/** The single screen's path: every call set-up of the network asks it. */
export const SCREEN_PATH = '/carrier/v1/screen';

/** The carrier router, and the single screen's own way in (see carrierRouter). */
export type CarrierRouter = Router & { screenLane: Middleware };

export interface CarrierServices {
  screen: ScreenService;
  labels: LabelFeed;
  interceptions: InterceptionService;
  /** Further /carrier routes of other modules, mounted before the JSON 404/405 fallback (which would answer them). */
  extraRoutes?: (router: Router) => void;
}

// Counted per action once per request: a labelled counter per decision would cost a batch 1,000 label
// lookups, and even a tally keyed by action costs a map update per call when actions alternate.
function countDecisions(ds: readonly Decision[]): void {
  let allow = 0;
  let block = 0;
  let smartAnswer = 0;
  let verify = 0;
  for (const d of ds) {
    const a = d.action;
    if (a === 'allow') allow++;
    else if (a === 'block') block++;
    else if (a === 'smart_answer') smartAnswer++;
    else if (a === 'verify') verify++;
    else countDecision(a);
  }
  if (allow) countDecision('allow', allow);
  if (block) countDecision('block', block);
  if (smartAnswer) countDecision('smart_answer', smartAnswer);
  if (verify) countDecision('verify', verify);
}

export function carrierRouter(deps: Pick<Deps, 'config' | 'store'> & Partial<Pick<Deps, 'log'>>, services: CarrierServices): CarrierRouter {
  const router = new Router();
  const auth = (maxBodyBytes: number) => carrierAuth(deps, { maxBodyBytes });
  const request = (ctx: Context) => ctx.state.carrier as CarrierRequest;
  const screen = guardScreen(services.screen, { deadlineMs: deps.config.carrierScreenDeadlineMs, log: deps.log });

  router.get('/carrier/openapi.json', (ctx) => {
    ctx.body = carrierOpenApi();
  });

  const screenAuth = auth(BODY_LIMITS.screen);
  const screenOne = async (ctx: Context) => {
    const body = request(ctx).body;
    const call = plainScreenCall(body) ?? valid(ctx, screenCallSchema, body);
    if (!call) return;
    const decision = await screen.screen(call);
    countDecision(decision.action);
    answerJson(ctx, decisionJson(decision));
  };
  router.post(SCREEN_PATH, screenAuth, screenOne);

  router.post('/carrier/v1/screen/batch', auth(BODY_LIMITS.batch), async (ctx) => {
    const body = request(ctx).body;
    const plain = plainScreenBatch(body, MAX_BATCH);
    const batch = plain ? { calls: plain } : valid(ctx, screenBatchSchema, body);
    if (!batch) return;
    const results = await screen.screenBatch(batch.calls);
    if (results.length !== batch.calls.length) throw new Error(`screenBatch answered ${results.length} decisions for ${batch.calls.length} calls`);
    countDecisions(results);
    answerJson(ctx, batchJson(results));
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

  services.extraRoutes?.(router);

  // Anything else under /carrier answers JSON too: 405 with Allow on a known path, 404 elsewhere.
  jsonFallback(router, CARRIER_FALLBACK, '/carrier', 'carrier');

  // The single screen's own way in, mounted before every router: each router on the way matches its whole
  // table, reads the host and builds and composes a chain, per request. The same two middlewares as the
  // route's; any other method or path (a GET here is 405) goes on to the routers.
  const screenLane: Middleware = (ctx, next) => (ctx.method === 'POST' && ctx.path === SCREEN_PATH ? screenAuth(ctx, () => screenOne(ctx)) : next());
  return Object.assign(router, { screenLane });
}
