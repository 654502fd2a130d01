// Koa assembly: error boundary, access log, metrics, health; feature routes are mounted by the caller.
import Koa from 'koa';
import type { Deps } from '../deps';
import { httpDuration, registry } from '../metrics';
import { HttpError } from './errors';

const GROUPS: ReadonlySet<string> = new Set(['wechat', 'carrier', 'h5', 'sms', 'simulator', 'healthz', 'readyz', 'metrics', 'oauth', 'ops']);

function routeGroup(path: string): string {
  const end = path.indexOf('/', 1);
  const first = path.slice(1, end === -1 ? undefined : end);
  return GROUPS.has(first) ? first : 'other';
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
        const [db, store] = await Promise.all([
          deps.db
            .query('SELECT 1')
            .then(() => true)
            .catch(() => false),
          deps.store.ping(),
        ]);
        ctx.status = db && store ? 200 : 503;
        ctx.body = { status: db && store ? 'ready' : 'not ready', database: db, store: store ? deps.store.kind : false };
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
