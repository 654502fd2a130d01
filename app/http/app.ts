// Koa assembly: error boundary, access log, metrics, health; feature routes are mounted by the caller.
import crypto from 'node:crypto';
import Koa from 'koa';
import type { Deps } from '../deps';
import { httpDuration, registry } from '../metrics';
import { Deadlines } from '../store/deadline';
import { LogThrottle } from '../log-throttle';
import { HttpError, isUnavailable } from './errors';
import { isClientAbort } from './raw-body';
import type { RefusalLog } from './refusals';

/** How long /readyz waits for each part before reporting it down. */
const READY_CHECK_MS = 1000;
const READY_DEADLINES = new Deadlines();

const GROUPS: ReadonlySet<string> = new Set(['wechat', 'carrier', 'h5', 'sms', 'simulator', 'healthz', 'readyz', 'metrics', 'oauth', 'ops']);

function routeGroup(path: string): string {
  const end = path.indexOf('/', 1);
  const first = path.slice(1, end === -1 ? undefined : end);
  return GROUPS.has(first) ? first : 'other';
}

const unavailableThrottle = new LogThrottle();
function unavailableLog(log: Deps['log'], err: Error, path: string): void {
  const requests = unavailableThrottle.hit();
  if (requests) log.warn({ err, path, requests }, 'answered 503: a backing service is not answering');
}
/** Parts of the process that must be loaded before it takes traffic (/readyz names those that are not). */
export type ReadinessChecks = Record<string, () => boolean>;

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1]).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

export function createHttpApp(
  deps: Pick<Deps, 'log' | 'db' | 'store'> & { config?: Pick<Deps['config'], 'trustProxy' | 'metricsToken'> },
  opts: { refusals?: RefusalLog; readiness?: ReadinessChecks } = {},
): Koa {
  const app = new Koa();
  // Only behind a proxy that sets X-Forwarded-* may they decide ctx.protocol, ctx.host and ctx.ip.
  app.proxy = deps.config?.trustProxy ?? false;
  // One trusted hop: ctx.ip is the address our proxy appended, not whatever a client put first in
  // X-Forwarded-For (the OTP's per-IP cap counts by it).
  app.maxIpsCount = 1;
  const metricsToken = deps.config?.metricsToken;
  app.silent = true; // errors are logged by our boundary, once, masked.

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } catch (err) {
      const e = err as Error & { status?: number; expose?: boolean; code?: string };
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message };
      } else if (e.status && e.status < 500 && e.expose !== false) {
        if (e.status === 413) opts.refusals?.refused(routeGroup(ctx.path), 'body_too_large', 413);
        ctx.status = e.status;
        ctx.body = { error: e.code ?? 'bad_request', message: e.message };
      } else if (isClientAbort(err) || ctx.req.socket?.destroyed) {
        // The peer hung up: nobody reads this answer, and it is not a fault of ours.
        deps.log.debug({ path: ctx.path, code: e.code }, 'client aborted the request');
        ctx.status = 400;
        ctx.body = { error: 'aborted', message: 'request aborted' };
      } else if (isUnavailable(err)) {
        // A stalled or refused database or Redis: say so and when to retry; logged once per 10 s, not per request.
        unavailableLog(deps.log, e, ctx.path);
        ctx.status = 503;
        ctx.set('Retry-After', '1');
        ctx.body = { error: 'unavailable', message: 'a backing service is not answering; retry shortly' };
      } else {
        deps.log.error({ err: e, path: ctx.path }, 'request failed');
        ctx.status = 500;
        ctx.body = { error: 'internal', message: 'internal error' };
      }
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpDuration.observe({ route: routeGroup(ctx.path), status: String(ctx.status) }, seconds);
    }
  });

  app.use(async (ctx, next) => {
    switch (ctx.path) {
      case '/healthz':
        ctx.body = { status: 'ok' };
        return;
      case '/readyz': {
        // Each check has a deadline: a stalled database or Redis must make readiness say so, not hang it.
        const [db, store] = await Promise.all([
          READY_DEADLINES.run(READY_CHECK_MS, deps.db.query('SELECT 1')).then(
            () => true,
            () => false,
          ),
          READY_DEADLINES.run(READY_CHECK_MS, deps.store.ping()).catch(() => false),
        ]);
        const loaded = Object.fromEntries(Object.entries(opts.readiness ?? {}).map(([name, check]) => [name, check()]));
        const down = [...(db ? [] : ['database']), ...(store ? [] : ['store']), ...Object.entries(loaded).filter(([, ok]) => !ok).map(([name]) => name)];
        ctx.status = down.length ? 503 : 200;
        ctx.body = { status: down.length ? 'not ready' : 'ready', database: db, store: store ? deps.store.kind : false, ...loaded, ...(down.length ? { down } : {}) };
        return;
      }
      case '/metrics':
        if (metricsToken && !bearerMatches(ctx.get('authorization') || undefined, metricsToken)) {
          opts.refusals?.refused('metrics', 'bad_token', 401);
          ctx.status = 401;
          ctx.set('WWW-Authenticate', 'Bearer');
          ctx.body = { error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' };
          return;
        }
        ctx.type = registry.contentType;
        ctx.body = await registry.metrics();
        return;
      default:
        await next();
    }
  });

  return app;
}
