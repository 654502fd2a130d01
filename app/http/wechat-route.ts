// GET/POST /wechat: the callback processor (app/wechat/callback.ts) on Koa, reading the raw body itself
// because body parsers mangle text/xml.
import Router from '@koa/router';
import type { Deps } from '../deps';
import { BUSY, STILL_WORKING } from '../../copy/faults';
import { FallbackStore } from '../store/fallback-store';
import { createCallback, type CallbackOptions } from '../wechat/callback';
import { BodyTooLarge, readRawBody } from './raw-body';
import type { RefusalLog } from './refusals';

const MAX_BODY = 64 * 1024;

/**
 * The retry de-duplication may wait this long for Redis before the process-local window answers: WeChat
 * gives the whole callback 5 s, and the handler needs most of it.
 */
export const DEDUPE_STORE_TIMEOUT_MS = 300;

export function wechatRouter(
  deps: Pick<Deps, 'config' | 'store' | 'log'>,
  opts: Pick<CallbackOptions, 'dispatch' | 'onLateReply'> & { refusals?: RefusalLog },
) {
  const w = deps.config.wechat;
  const { refusals, ...callbackOpts } = opts;
  const callback = createCallback({
    token: w.token,
    appId: w.appId,
    encodingAesKey: w.encodingAesKey,
    mode: w.messageMode,
    store: FallbackStore.around(deps.store, { use: 'wechat_dedupe', timeoutMs: DEDUPE_STORE_TIMEOUT_MS, log: deps.log }),
    log: deps.log,
    maxBodyBytes: MAX_BODY,
    failureReply: { type: 'text', content: BUSY },
    overBudgetReply: { type: 'text', content: STILL_WORKING },
    onRefused: (reason, status) => refusals?.refused('wechat', reason, status),
    ...callbackOpts,
  });
  const router = new Router();
  router.get('/wechat', (ctx) => {
    const r = callback.verifyUrl(ctx.query);
    ctx.status = r.status;
    ctx.type = 'text/plain';
    ctx.body = r.body;
  });
  router.post('/wechat', async (ctx) => {
    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, MAX_BODY);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      refusals?.refused('wechat', 'body_too_large', 413);
      ctx.status = 413;
      ctx.type = 'text/plain';
      ctx.body = 'body too large';
      return;
    }
    const r = await callback.handle(ctx.query, raw);
    ctx.status = r.status;
    ctx.type = r.contentType;
    ctx.body = r.body;
  });
  return { router, drain: () => callback.drain() };
}
