// GET/POST /wechat: the callback processor (app/wechat/callback.ts) on Koa, reading the raw body itself
// because body parsers mangle text/xml.
import Router from '@koa/router';
import type { Deps } from '../deps';
import { createCallback, type CallbackOptions } from '../wechat/callback';
import { BodyTooLarge, readRawBody } from './raw-body';
import type { RefusalLog } from './refusals';

const MAX_BODY = 64 * 1024;

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
    store: deps.store,
    log: deps.log,
    maxBodyBytes: MAX_BODY,
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
