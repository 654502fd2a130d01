// Every refusal of the carrier API is JSON `{error, message}`: set here directly rather than thrown, so the
// answer does not depend on which error boundary the router is mounted behind.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';

export function refuse(ctx: Context, status: number, error: string, message: string, extra?: { field?: string }): void {
  ctx.status = status;
  ctx.body = { error, message, ...extra };
}

/** Parses or answers 400 naming the first offending field; undefined means the answer is already set. */
export function valid<S extends z.ZodType>(ctx: Context, schema: S, value: unknown): z.infer<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map(String).join('.') || '(body)';
  refuse(ctx, 400, 'invalid_request', `${field}: ${issue.message}`, { field });
  return undefined;
}

/** Anything else under `prefix` answers JSON too: 405 with Allow on a known path, 404 elsewhere. Mount last. */
export function jsonFallback(router: Router, name: string, prefix: string, what: string): void {
  const known = new Map<string, string[]>();
  for (const layer of router.stack) known.set(layer.path as string, [...(known.get(layer.path as string) ?? []), ...layer.methods]);
  router.all(name, `${prefix}/{*rest}`, (ctx) => {
    const allowed = known.get(ctx.path);
    if (!allowed) return refuse(ctx, 404, 'not_found', `no ${what} endpoint at ${ctx.path}`);
    ctx.set('Allow', allowed.join(', '));
    refuse(ctx, 405, 'method_not_allowed', `${ctx.path} accepts ${allowed.filter((m) => m !== 'HEAD').join(', ')}`);
  });
}
