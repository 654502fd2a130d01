// What every console page and form shares: rendering a page with its flash line, and running a form's
// action so that it answers with a redirect (303) to the page and a short outcome code.
import type { Context } from 'koa';
import type { consoleAuth } from './auth';
import { opsState } from './auth';
import { OpsError } from '../ops/context';
import { normalizeNumber } from '../protection/numbers';
import { AppealRefused } from '../reports/appeal-service';
import { ReviewRefused } from '../reports/report-review';
import { page, type Raw } from './pages/layout';
import { CONSOLE } from './texts';

/** The sign-in guard and the role check every protected route uses. */
export type Guards = ReturnType<typeof consoleAuth>;

/** What an action reports back to its page: ok=<code> or err=<code>, with figures. */
export type Outcome = { ok?: string; err?: string; n?: number; t?: number };

export const flashText = (ctx: Context) => {
  const ok = typeof ctx.query.ok === 'string' ? ctx.query.ok : null;
  const err = typeof ctx.query.err === 'string' ? ctx.query.err : null;
  const code = ok ?? err;
  if (!code) return null;
  const t = CONSOLE.flash[code];
  if (!t) return null;
  const text = typeof t === 'function' ? t(Number(ctx.query.n) || 0, Number(ctx.query.t) || 0) : t;
  return { ok: !!ok, text };
};

export const reasonOf = (form: URLSearchParams, field = 'reason') => {
  const r = (form.get(field) ?? '').trim();
  return r.length >= 4 ? r.slice(0, 200) : null;
};

/** Refusals the domain services raise, as the outcome code the page words. */
export function refusalCode(e: unknown): string | null {
  if (e instanceof ReviewRefused || e instanceof AppealRefused) return e.code;
  if (e instanceof OpsError) return /reason/.test(e.message) ? 'reason_required' : 'bad_number';
  return null;
}

/** A number typed into a form or query, normalised; null when empty, undefined when not a number. */
export const numberParam = (raw: unknown) => {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  const n = normalizeNumber(raw.slice(0, 24));
  return n.kind === 'invalid' ? undefined : n.value;
};

export const render = (ctx: Context, title: string, active: string, body: Raw, scripts?: string[]) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page({ title, active, body, session: opsState(ctx).session, flash: flashText(ctx), scripts });
};
export const back = (ctx: Context, to: string, outcome: Outcome) => {
  ctx.status = 303;
  ctx.redirect(`${to}${to.includes('?') ? '&' : '?'}${new URLSearchParams(Object.entries(outcome).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))}`);
};
/** Runs an action; a refusal of the domain goes back to the page as its code. */
export const act = (to: (ctx: Context) => string, fn: (ctx: Context) => Promise<Outcome>) => async (ctx: Context) => {
  try {
    back(ctx, to(ctx), await fn(ctx));
  } catch (e) {
    const code = refusalCode(e);
    if (!code) throw e;
    back(ctx, to(ctx), { err: code });
  }
};

