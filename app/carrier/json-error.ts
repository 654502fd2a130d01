// Every refusal of the carrier API is JSON `{error, message}`: set here directly rather than thrown, so the
// answer does not depend on which error boundary the router is mounted behind.
import type { Context } from 'koa';

export function refuse(ctx: Context, status: number, error: string, message: string, extra?: { field?: string }): void {
  ctx.status = status;
  ctx.body = { error, message, ...extra };
}
