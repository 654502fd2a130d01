// POST /sms/inbound (docs/interfaces.md "SMS gateway"): JSON {"from","to","text","id"} signed with
// X-Signature = hex(HMAC-SHA256(SMS_INBOUND_SECRET, raw body)). The body is read raw with a byte limit and
// verified before it is parsed; a refusal is JSON and changes nothing.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { BodyTooLarge, readRawBody } from '../http/raw-body';
import type { Deps } from '../deps';
import { smsInbound } from './inbound-metrics';
import { InboundSmsService, type InboundOptions, type InboundSmsServices } from './inbound-service';
import { inboundSignatureValid } from './inbound-signature';

/** An SMS is at most a few hundred characters; anything near this limit is not one. */
export const INBOUND_MAX_BYTES = 8 * 1024;

const inboundSchema = z.object({
  from: z.string().min(1).max(32),
  to: z.string().max(32).optional(),
  text: z.string().max(1000),
  id: z.string().min(1).max(128),
});

function refuse(ctx: Context, status: number, error: string, message: string, field?: string): void {
  smsInbound.inc({ result: error, keyword: 'none' });
  ctx.status = status;
  ctx.body = field ? { error, message, field } : { error, message };
}

export function smsInboundRouter(deps: Pick<Deps, 'config' | 'db' | 'store' | 'vault' | 'log'>, services: InboundSmsServices, opts: InboundOptions = {}): Router {
  const inbound = new InboundSmsService(deps, services, opts);
  const router = new Router();

  router.post('/sms/inbound', async (ctx) => {
    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, INBOUND_MAX_BYTES);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      ctx.set('Connection', 'close');
      return refuse(ctx, 413, 'payload_too_large', `the body is limited to ${INBOUND_MAX_BYTES} bytes`);
    }
    if (!inboundSignatureValid(deps.config.sms.inboundSecret, raw, ctx.get('x-signature') || undefined))
      return refuse(ctx, 401, 'bad_signature', 'X-Signature must be hex(HMAC-SHA256(secret, raw body))');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse(ctx, 400, 'malformed_json', 'the body is not valid JSON');
    }
    const parsed = inboundSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(ctx, 400, 'invalid', issue.message, issue.path.join('.') || undefined);
    }
    const result = await inbound.handle(parsed.data);
    smsInbound.inc({ result: result.status, keyword: result.status === 'processed' ? result.keyword : 'none' });
    ctx.status = 200;
    ctx.body = result.status === 'processed' ? { status: 'processed', outcome: result.outcome } : result;
  });

  return router;
}
