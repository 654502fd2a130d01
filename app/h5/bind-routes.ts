// 绑定手机 on H5: the page (/h5/bind) and its endpoints — 本机号码一键登录 first where a number-authentication
// provider is configured, the SMS code beside it. Both end in the same binding as the chat's OTP: an
// SMS-only enrolment of the phone is folded in, then BindingService.bindVerified (one phone, one subscriber;
// the takeover rules; audit). Refusals are JSON {error, message, fallback?}; `fallback: "sms"` tells the
// page to offer the code.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ONE_TAP } from '../../copy/one-tap';
import type { AuditSource } from '../audit/audit';
import { parseMainlandMobile } from '../binding/mobile';
import type { ProvenPhone } from '../binding/one-tap';
import type { Deps } from '../deps';
import { NumberAuthError, type NumberAuthFailure } from '../number-auth/port';
import { maskPhone } from '../privacy/mask';
import { parseOrRefuse } from '../settings/preferences-service';
import { stateOf } from '../settings/protection-service';
import { jsonErrors } from './api-routes';
import { h5State, type H5Auth } from './auth';
import { jsonBody } from './body';
import { CSP, renderPage } from './page-routes';
import { bindPage } from './pages/bind';
import type { H5Cookies } from './session';
import type { H5Binding, H5Services } from './services';

const FROM_H5: AuditSource = { actor: 'subscriber', channel: 'h5' };

const STATUS: Record<NumberAuthFailure, number> = {
  token_invalid: 409,
  token_reused: 409,
  token_garbage: 400,
  unavailable: 503,
  misconfigured: 503,
  not_mobile: 422,
  daily_cap: 429,
};

const phoneBody = z.strictObject({ phone: z.string().max(40) });
const codeBody = z.strictObject({ code: z.string().max(16) });
const tokenBody = z.strictObject({ token: z.unknown() });

function refuse(ctx: Context, status: number, error: string, message: string, extra: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { error, message, ...extra };
}

/** The bind page's CSP: the provider's SDK may come from the operator's static host and talks to the carriers' gateways. */
function cspFor(sdkUrl: string | null): string {
  if (!sdkUrl || sdkUrl.startsWith('/')) return CSP;
  const origin = new URL(sdkUrl, 'https://placeholder.invalid').origin;
  return CSP.replace("script-src 'self'", `script-src 'self' ${origin}`).replace("connect-src 'self'", "connect-src 'self' https:");
}

export function mountBind(router: Router, deps: Deps, s: H5Services, auth: H5Auth, cookies: H5Cookies): void {
  const b: H5Binding | undefined = s.binding;
  if (!b) return;
  const api = [jsonErrors, auth.api];

  /** The proven phone becomes this subscriber's, exactly as after a verified code in the chat. */
  const bind = async (ctx: Context, proven: Pick<ProvenPhone, 'phoneHash' | 'phoneCipher'>) => {
    const { subscriber } = h5State(ctx);
    const masked = maskPhone(deps.vault.decrypt(proven.phoneCipher));
    const current = await s.bindings.forSubscriber(subscriber.id);
    if (current && current.phoneHash === proven.phoneHash) {
      ctx.body = { bound: true, already: true, phone: masked, message: ONE_TAP.page.alreadyBound(masked) };
      return;
    }
    await b.mergeSmsEnrolment?.(subscriber.id, proven.phoneHash);
    const result = await s.bindings.bindVerified(subscriber.id, proven.phoneHash, proven.phoneCipher, FROM_H5);
    const state = stateOf(await s.protection.get(subscriber.id));
    ctx.body = { bound: true, moved: result.movedFrom !== null, phone: masked, state, message: result.movedFrom !== null ? ONE_TAP.page.boundMoved(masked) : ONE_TAP.page.bound(masked) };
  };

  router.get('/bind', auth.page, async (ctx) => {
    const st = h5State(ctx);
    const [binding, settings] = await Promise.all([s.bindings.forSubscriber(st.subscriber.id), s.protection.get(st.subscriber.id)]);
    const html = bindPage({ masked: binding ? s.bindings.maskedPhoneOf(binding) : null, state: stateOf(settings), oneTap: !!b.oneTap }, cookies.csrfToken(st.session));
    renderPage(ctx, html, cspFor(b.oneTap ? b.oneTap.sdkUrl : null));
  });

  // ---- 本机号码一键登录 ------------------------------------------------------------------------------
  const oneTapRefusal = (ctx: Context, e: unknown) => {
    if (!(e instanceof NumberAuthError)) throw e;
    refuse(ctx, STATUS[e.reason], e.reason, ONE_TAP.failures[e.reason], { fallback: 'sms' });
  };

  router.post('/api/bind/one-tap/start', ...api, async (ctx) => {
    if (!b.oneTap) return refuse(ctx, 404, 'not_available', ONE_TAP.failures.misconfigured, { fallback: 'sms' });
    try {
      ctx.body = await b.oneTap.start(h5State(ctx).subscriber.openid!);
    } catch (e) {
      oneTapRefusal(ctx, e);
    }
  });

  router.post('/api/bind/one-tap', ...api, async (ctx) => {
    if (!b.oneTap) return refuse(ctx, 404, 'not_available', ONE_TAP.failures.misconfigured, { fallback: 'sms' });
    const { token } = parseOrRefuse(tokenBody, await jsonBody(ctx, 4096));
    let proven: ProvenPhone;
    try {
      proven = await b.oneTap.verify(h5State(ctx).subscriber.openid!, token);
    } catch (e) {
      return oneTapRefusal(ctx, e);
    }
    await bind(ctx, proven);
  });

  // ---- 短信验证码 (the same OtpService and caps as the chat; a code asked for here may be typed there) ----
  router.post('/api/bind/sms', ...api, async (ctx) => {
    const { phone: typed } = parseOrRefuse(phoneBody, await jsonBody(ctx));
    const phone = parseMainlandMobile(typed);
    if (!phone) return refuse(ctx, 400, 'bad_phone', ONE_TAP.errors.bad_phone);
    const { subscriber } = h5State(ctx);
    const phoneHash = deps.vault.lookupHash(phone);
    const masked = maskPhone(phone);
    if ((await s.bindings.forSubscriber(subscriber.id))?.phoneHash === phoneHash) {
      ctx.body = { sent: false, already: true, phone: masked, message: ONE_TAP.page.alreadyBound(masked) };
      return;
    }
    const r = await b.otp.request({ subscriberKey: subscriber.openid!, phone, phoneHash, phoneCipher: deps.vault.encrypt(phone), ip: ctx.ip });
    if (!r.ok) {
      const seconds = Math.max(1, Math.ceil((r.retryInMs ?? 60_000) / 1000));
      return r.reason === 'cooldown'
        ? refuse(ctx, 429, 'cooldown', ONE_TAP.errors.cooldown(seconds), { retryIn: seconds })
        : refuse(ctx, 429, 'daily_cap', ONE_TAP.errors.daily_cap);
    }
    ctx.body = { sent: true, phone: masked, message: ONE_TAP.page.codeSent(masked) };
  });

  router.post('/api/bind/sms/verify', ...api, async (ctx) => {
    const { code: typed } = parseOrRefuse(codeBody, await jsonBody(ctx));
    const code = typed.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return refuse(ctx, 400, 'bad_code', ONE_TAP.errors.bad_code);
    const r = await b.otp.verify(h5State(ctx).subscriber.openid!, code);
    if (!r.ok) {
      if (r.reason === 'wrong') return refuse(ctx, 400, 'wrong_code', ONE_TAP.errors.wrong_code(r.triesLeft ?? 0), { triesLeft: r.triesLeft });
      return refuse(ctx, 409, r.reason === 'locked' ? 'code_locked' : 'no_code', r.reason === 'locked' ? ONE_TAP.errors.code_locked : ONE_TAP.errors.no_code);
    }
    await bind(ctx, r);
  });
}
