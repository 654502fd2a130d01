// Koa middleware of the console: who is signed in (a store session whose operator still exists and is not
// disabled, the role read afresh), CSRF on every state change, and the role a route needs. Refusals are
// pages, and refused actions are audited like allowed ones.
import type { Context, Next } from 'koa';
import type { DataSource } from 'typeorm';
import { audit } from '../audit/audit';
import { rawBody } from '../h5/body';
import { messagePage } from './pages/layout';
import type { OperatorService } from './operators';
import { may, type Permission } from './roles';
import { csrfMatches, OPS_COOKIE, type OpsSession, type SessionStore } from './sessions';
import { CONSOLE } from './texts';

export interface OpsState {
  session: OpsSession;
  sessionId: string;
  form: URLSearchParams;
}

export const opsState = (ctx: Context) => ctx.state.ops as OpsState;

export function refuse(ctx: Context, status: number, code: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = messagePage(CONSOLE.product, CONSOLE.errors[code] ?? CONSOLE.errors.internal);
}

/** An urlencoded form body, at most 16 KiB; anything else is refused before it is read. */
export async function formBody(ctx: Context): Promise<URLSearchParams | null> {
  if (!ctx.is('application/x-www-form-urlencoded')) return null;
  return new URLSearchParams(await rawBody(ctx, 16 * 1024));
}

/** Writes one audit row for a console action, naming the operator and their role. */
export async function auditAction(db: DataSource, s: Pick<OpsSession, 'name' | 'role'> | { name: string; role?: string }, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.transaction((m) => audit(m, null, { actor: 'operator', channel: 'console' }, `console_${action}`, { operator: s.name, role: s.role, ...detail }));
}

export function consoleAuth(db: DataSource, sessions: SessionStore, operators: OperatorService) {
  /** Signed in, or sent to the sign-in page (GET) / refused (anything else). */
  const signedIn = async (ctx: Context, next: Next) => {
    const id = ctx.cookies.get(OPS_COOKIE);
    const s = await sessions.read(id);
    const op = s ? await operators.byId(s.operatorId) : null;
    if (!s || !op || op.disabled) {
      if (s) await sessions.destroy(id);
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return ctx.redirect('/ops/login');
      return refuse(ctx, 401, 'csrf');
    }
    const session: OpsSession = { ...s, role: operators.roleOf(op) };
    ctx.state.ops = { session, sessionId: id!, form: new URLSearchParams() } satisfies OpsState;
    if (ctx.method === 'POST') {
      const form = await formBody(ctx);
      if (!form || !csrfMatches(session, form.get('_csrf'))) {
        await auditAction(db, session, 'refused', { path: ctx.path, why: 'csrf' });
        return refuse(ctx, 403, 'csrf');
      }
      opsState(ctx).form = form;
    }
    await next();
  };

  const needs = (p: Permission) => async (ctx: Context, next: Next) => {
    const { session } = opsState(ctx);
    if (!may(session.role, p)) {
      await auditAction(db, session, 'refused', { path: ctx.path, needs: p });
      return refuse(ctx, 403, 'forbidden');
    }
    await next();
  };

  return { signedIn, needs };
}
