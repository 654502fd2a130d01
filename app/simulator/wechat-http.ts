// How the simulated WeChat API speaks HTTP: JSON answers with HTTP 200 whatever the errcode, request
// bodies read with WeChat's errcodes for empty or malformed JSON, the messages of injected faults, and a
// request held unanswered (a 'timeout' fault).
import type { Context } from 'koa';
import { wxError, type ApiError } from './wechat-sim-state';

const BODY_LIMIT = 1 << 20;
/** Longest a 'timeout' fault holds a request when the client does not give up first. */
const HANG_MAX_MS = 60_000;
export const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

export const FAULT_MESSAGES: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40014: 'invalid access_token',
  42001: 'access_token expired',
  43004: 'require subscribe',
  43101: 'user refuse to accept the msg',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  48001: 'api unauthorized',
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function queryOf(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** WeChat's JSON answer: HTTP 200 whatever the errcode. A string is sent verbatim (64-bit msgids). */
export function answer(ctx: Context, body: unknown) {
  ctx.status = 200;
  ctx.body = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.set('Content-Type', 'application/json; encoding=utf-8');
}

export async function readJson(ctx: Context): Promise<{ value: unknown } | ApiError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return wxError(47001, 'data format error');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return wxError(44002, 'empty post data');
  try {
    return { value: JSON.parse(text) };
  } catch {
    return wxError(47001, 'data format error');
  }
}

export const ok = () => ({ errcode: 0, errmsg: 'ok' });

/** Holds the request until the client gives up (or HANG_MAX_MS), then drops the connection unanswered. */
export async function hang(ctx: Context) {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, HANG_MAX_MS);
    timer.unref();
    ctx.res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  ctx.respond = false;
  if (!ctx.res.writableEnded) ctx.res.destroy();
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
