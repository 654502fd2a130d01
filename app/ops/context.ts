// What every operator command opens: the configuration (DATABASE_URL, REDIS_URL, DATA_KEY… through
// loadConfig), the database without migrating it (an operator's command never changes the schema), the
// store, and a logger on stderr so stdout carries only the command's answer.
import os from 'node:os';
import pino from 'pino';
import { loadConfig } from '../config';
import type { Deps } from '../deps';
import { closeDeps, openDeps } from '../lifecycle';
import { createLogger } from '../log';

export function openOpsDeps(): Promise<Deps> {
  return openDeps(loadConfig(), { migrate: false, log: createLogger(process.env.LOG_LEVEL ?? 'warn', pino.destination(2)) });
}

export const closeOpsDeps = closeDeps;

/** Who is acting, for the audit trail: --operator, else OPS_OPERATOR, else the login name. */
export function operatorName(given?: string): string {
  const name = (given ?? process.env.OPS_OPERATOR ?? os.userInfo().username ?? 'unknown').trim();
  return name.slice(0, 48) || 'unknown';
}

/** A refusal the operator should read as a sentence (exit code 1), not a stack trace. */
export class OpsError extends Error {}

/** Prints rows as an aligned table (CJK characters count double, as terminals draw them). */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join('  ').trimEnd()).join('\n');
}

export function isoMinute(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-';
}
