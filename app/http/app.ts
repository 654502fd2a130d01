// Koa assembly: error boundary, access log, metrics, health; feature routes are mounted by the caller.
import Koa from 'koa';
import type { Deps } from '../deps';
import { httpDuration, registry } from '../metrics';
import { Deadlines } from '../store/deadline';
import { LogThrottle } from '../log-throttle';
import { HttpError, isUnavailable } from './errors';

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

export function createHttpApp(deps: Pick<Deps, 'log' | 'db' | 'store'>): Koa {
  const app = new Koa();
  app.proxy = true;
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
        ctx.status = e.status;
        ctx.body = { error: e.code ?? 'bad_request', message: e.message };
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
        const down = [...(db ? [] : ['database']), ...(store ? [] : ['store'])];
        ctx.status = down.length ? 503 : 200;
        ctx.body = { status: down.length ? 'not ready' : 'ready', database: db, store: store ? deps.store.kind : false, ...(down.length ? { down } : {}) };
        return;
      }
      case '/metrics':
        ctx.type = registry.contentType;
        ctx.body = await registry.metrics();
        return;
      default:
        await next();
    }
  });

  return app;
}
