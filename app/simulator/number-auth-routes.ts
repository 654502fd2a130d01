// The carrier's side of 本机号码一键登录 as the embedded simulator plays it: the JS-SDK the bind page loads
// (/simulator/number-auth/sdk.js, the calls of Aliyun's H5 web SDK) and the "carrier gateway" it talks to.
// The gateway knows the device by the simulated phone the simulator page has selected (its cookie), as a
// carrier knows the SIM behind a mobile-data session: a phone on mobile data gets a token for its own
// number and nothing else; on Wi-Fi, or outside the simulator, there is no number to give.
import Router from '@koa/router';
import type Koa from 'koa';
import { readRawBody } from '../http/raw-body';
import type { SimulatorNumberAuth } from '../number-auth/simulator-provider';
import { maskPhone } from '../privacy/mask';

export interface SimDevice {
  phone: string;
  mobileData: boolean;
}

const OK = 600000;
const UNKNOWN = 600010;
const NO_TOKEN = 600011;

// Plain ES2017, like the page scripts; each call answers { code, msg, data? | spToken? } through `callback`.
const SDK_JS = `(function () {
  'use strict';
  function call(path, body, opts) {
    var timer = null;
    var finished = false;
    function finish(res) { if (finished) return; finished = true; clearTimeout(timer); opts.callback(res); }
    timer = setTimeout(function () { finish({ code: 600015, msg: '接口超时' }); }, (opts.timeout || 3) * 1000);
    fetch('/simulator/number-auth/api/' + path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(finish, function () { finish({ code: ${UNKNOWN}, msg: '网络异常' }); });
  }
  function PhoneServerCustomization() { this.creds = null; }
  PhoneServerCustomization.prototype.getConnection = function () { return 'cellular'; };
  PhoneServerCustomization.prototype.checkLoginAvailable = function (o) {
    this.creds = { accessToken: o.accessToken, jwtToken: o.jwtToken };
    call('check', this.creds, o);
  };
  PhoneServerCustomization.prototype.getLoginMaskPhone = function (o) { call('mask', this.creds || {}, o); };
  PhoneServerCustomization.prototype.getLoginToken = function (o) {
    var c = this.creds || {};
    call('token', { accessToken: c.accessToken, jwtToken: c.jwtToken, mask: o.mask }, o);
  };
  window.PhoneServerCustomization = PhoneServerCustomization;
})();
`;

export function numberAuthSimRouter(provider: SimulatorNumberAuth, deviceOf: (ctx: Koa.Context) => SimDevice | null): Router {
  const router = new Router({ prefix: '/simulator/number-auth' });

  const input = async (ctx: Koa.Context) => {
    try {
      const v = JSON.parse((await readRawBody(ctx.req, 4096)).toString('utf8') || '{}');
      return { accessToken: String(v.accessToken ?? ''), jwtToken: String(v.jwtToken ?? ''), mask: String(v.mask ?? '') };
    } catch {
      return { accessToken: '', jwtToken: '', mask: '' };
    }
  };
  /** Credentials ours and a phone on mobile data, or the SDK's failure answer. */
  const gate = async (ctx: Koa.Context) => {
    const b = await input(ctx);
    if (!(await provider.credentialsValid(b.accessToken, b.jwtToken))) return { refused: { code: UNKNOWN, msg: '鉴权失败（JwtToken无效）' } } as const;
    const device = deviceOf(ctx);
    if (!device || !device.mobileData) return { refused: { code: NO_TOKEN, msg: '获取Token失败（请关闭Wi-Fi，使用移动数据网络）' } } as const;
    return { b, device } as const;
  };

  router.get('/sdk.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = SDK_JS;
  });
  router.post('/api/check', async (ctx) => {
    const g = await gate(ctx);
    ctx.body = 'refused' in g ? g.refused : { code: OK, msg: '成功' };
  });
  router.post('/api/mask', async (ctx) => {
    const g = await gate(ctx);
    ctx.body = 'refused' in g ? g.refused : { code: OK, msg: '成功', data: { maskPhone: maskPhone(g.device.phone) } };
  });
  router.post('/api/token', async (ctx) => {
    const g = await gate(ctx);
    if ('refused' in g) return void (ctx.body = g.refused);
    // The hidden digits guard against a shared hotspot handing out someone else's number.
    if (g.b.mask !== g.device.phone.slice(3, 7)) return void (ctx.body = { code: NO_TOKEN, msg: '号码中间4位不正确' });
    const spToken = await provider.issueToken(g.b.accessToken, g.b.jwtToken, g.device.phone);
    ctx.body = spToken ? { code: OK, msg: '成功', spToken } : { code: UNKNOWN, msg: '鉴权失败' };
  });
  return router;
}
