// 本机号码一键登录 through the assembled server: the official Aliyun SDK against a local Aliyun number
// authentication that checks the ACS3 signature; the carrier's side (the subscriber confirming on the SDK's
// page, the one-time spToken) is played by the fake. Hostile tokens, takeover, provider faults, the SMS code
// beside it on the same page.
import test, { type ExecutionContext } from 'ava';
import { AuditEvent, PhoneBinding, Subscriber } from '../entities';
import { KEYS } from '../menus/tree';
import { eventually } from './support/app-harness';
import { FAKE_APP } from './support/fake-wechat-api';
import { SCENE_CODE, startOneTapHarness, type OneTapHarness } from './support/one-tap-harness';
import type { H5Client } from './support/h5-harness';

type Refusal = { error: string; message: string; fallback?: string };

const bindingOf = async (h: OneTapHarness, openid: string) => {
  const s = await h.deps.db.getRepository(Subscriber).findOneBy({ openid });
  return s ? h.deps.db.getRepository(PhoneBinding).findOneBy({ subscriberId: s.id }) : null;
};
const exchanges = (h: OneTapHarness) => h.aliyun.requests.filter((r) => r.action === 'GetPhoneWithToken');

/** A fresh server, one follower of the account, signed in to the pages. */
async function signedIn(t: ExecutionContext, openid: string, opts: Parameters<typeof startOneTapHarness>[0] = {}) {
  const h = await startOneTapHarness(opts);
  t.teardown(() => h.close());
  h.wechat.state.follow(openid);
  return { h, c: await h.signIn(openid) };
}

async function oneTap(c: H5Client, token: unknown) {
  return c.json<Record<string, unknown>>('/h5/api/bind/one-tap', { body: { token } });
}

for (const kind of [
  { db: 'mariadb', store: 'redis' },
  { db: 'sqlite', store: 'memory' },
] as const) {
  test(`${kind.db}: one tap binds the number the carrier names; 立即开通 sends the service-enabled notice`, async (t) => {
    const h = await startOneTapHarness(kind);
    t.teardown(() => h.close());
    const openid = `oOneTap_${kind.db}_0001`;
    h.wechat.state.follow(openid);
    await h.sender.send(h.sender.subscribe(openid));
    const c = await h.signIn(openid);

    const res = await c.request('/h5/bind');
    const page = await res.text();
    t.regex(page, /本机号码一键登录/);
    t.regex(page, /短信验证码绑定/);
    // The provider's SDK may load from the operator's static host, and only on this page.
    t.regex(res.headers.get('content-security-policy') ?? '', /script-src 'self' https:\/\/static\.example\.com;/);
    t.notRegex((await c.request('/h5/')).headers.get('content-security-policy') ?? '', /static\.example\.com/);

    const start = await c.json<{ accessToken: string; jwtToken: string; sdkUrl: string }>('/h5/api/bind/one-tap/start', { body: {} });
    t.is(start.status, 200);
    t.is(start.body.sdkUrl, 'https://static.example.com/numberAuth-web-sdk.js');
    t.truthy(start.body.accessToken && start.body.jwtToken);
    t.like(h.aliyun.requests[0], { action: 'GetAuthToken', signatureVerified: true, code: 'OK', params: { SceneCode: SCENE_CODE, Url: h.scheme.url, Origin: h.scheme.origin, BizType: '1' } });

    const r = await oneTap(c, h.aliyun.issueToken('13800138000'));
    t.is(r.status, 200, JSON.stringify(r.body));
    t.like(r.body, { bound: true, phone: '138****8000', message: '手机号138****8000绑定成功！' });
    t.like(exchanges(h)[0], { signatureVerified: true, code: 'OK' });
    const binding = await bindingOf(h, openid);
    t.is(binding?.phoneHash, h.deps.vault.lookupHash('13800138000'));
    t.false(binding!.phoneCipher.includes('13800138000'));
    const audit = await h.deps.db.getRepository(AuditEvent).findOneByOrFail({ subscriberId: binding!.subscriberId, action: 'phone_bound' });
    t.like(audit, { channel: 'h5', actor: 'subscriber' });

    const after = await (await c.request('/h5/bind')).text();
    t.regex(after, /data-testid="phone">138\*\*\*\*8000</);
    t.regex(after, /立即开通/);
    t.false(after.includes('13800138000'), 'the page never shows the number in full');

    const enable = await c.json<{ changed: boolean; state: string }>('/h5/api/protection', { body: { action: 'enable' } });
    t.like(enable.body, { changed: true, state: 'on' });
    const notice = await eventually(() => h.wechat.state.templateMessages().find((m) => m.touser === openid));
    t.is(notice.templateId, FAKE_APP.templateEnabled);
    t.false(JSON.stringify(notice.data).includes('13800138000'), 'the phone is masked in the template');

    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    t.regex(metrics, /fsr_number_auth_verified_total\{provider="aliyun"\} [1-9]/);
  });
}

test('hostile tokens: reused, expired, foreign, of the wrong kind, garbage — refused in Chinese with the SMS code offered, nothing bound', async (t) => {
  const openid = 'oOneTap_hostile_0001';
  const { h, c } = await signedIn(t, openid);

  // Reused: the first exchange binds; the same token again never reaches Aliyun.
  const token = h.aliyun.issueToken('13700137000');
  t.is((await oneTap(c, token)).status, 200);
  await c.json('/h5/api/data/unbind', { body: {} });
  const reused = await oneTap(c, token);
  t.is(reused.status, 409);
  t.like(reused.body as Refusal, { error: 'token_reused', fallback: 'sms' });
  t.regex((reused.body as Refusal).message, /已使用过.*短信验证码/);
  t.is(exchanges(h).length, 1);

  const cases: [string, () => unknown, number, string][] = [
    ['expired', () => h.aliyun.issueToken('13600136000', { ttlMs: -1 }), 409, 'token_invalid'],
    ['foreign (another Aliyun account)', () => h.aliyun.issueToken('13600136000', { accessKeyId: 'LTAI5tSomeoneElse00000' }), 409, 'token_invalid'],
    ['a 本机号码校验 token, not a login one', () => h.aliyun.issueToken('13600136000', { bizType: 0 }), 409, 'token_invalid'],
  ];
  for (const [name, make, status, error] of cases) {
    const r = await oneTap(c, await make());
    t.is(r.status, status, name);
    t.like(r.body as Refusal, { error, fallback: 'sms' }, name);
    t.regex((r.body as Refusal).message, /过期或无效.*短信验证码/, name);
  }
  const askedAliyun = exchanges(h).length;
  for (const garbage of ['<script>alert(1)</script>', 'x'.repeat(3000), 42, null, ['a'], '短信']) {
    const r = await oneTap(c, garbage);
    t.is(r.status, 400, JSON.stringify(garbage).slice(0, 40));
    t.like(r.body as Refusal, { error: 'token_garbage', fallback: 'sms' });
  }
  t.is(exchanges(h).length, askedAliyun, 'garbage never reaches Aliyun');
  t.is(await bindingOf(h, openid), null, 'nothing was bound');

  // No session, or no CSRF token: refused before anything else.
  const stranger = await fetch(`${h.server.url}/h5/api/bind/one-tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: h.aliyun.issueToken('13600136000') }) });
  t.is(stranger.status, 401);
  t.is((await c.json('/h5/api/bind/one-tap', { body: { token: h.aliyun.issueToken('13600136000') }, csrf: null })).status, 403);
  t.is(exchanges(h).length, askedAliyun);

  const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
  t.regex(metrics, /fsr_number_auth_failures_total\{provider="aliyun",step="exchange",reason="token_reused"\} [1-9]/);
  t.regex(metrics, /fsr_number_auth_failures_total\{provider="aliyun",step="exchange",reason="token_invalid"\} [3-9]/);
  t.regex(metrics, /fsr_number_auth_failures_total\{provider="aliyun",step="exchange",reason="token_garbage"\} [6-9]/);
});

test('a token for a phone another subscriber holds moves the phone under the takeover rules', async (t) => {
  const h = await startOneTapHarness();
  t.teardown(() => h.close());
  const [holder, taker] = ['oOneTap_holder_0001', 'oOneTap_taker_00001'];
  for (const o of [holder, taker]) h.wechat.state.follow(o);
  const a = await h.signIn(holder);
  t.is((await oneTap(a, h.aliyun.issueToken('13500135000'))).status, 200);
  const holderId = (await bindingOf(h, holder))!.subscriberId;

  const b = await h.signIn(taker);
  const r = await oneTap(b, h.aliyun.issueToken('13500135000'));
  t.is(r.status, 200);
  t.like(r.body, { bound: true, moved: true, message: '手机号135****5000绑定成功（该号码已从原微信账号解绑）。' });
  t.is(await bindingOf(h, holder), null, 'the previous holder no longer holds the phone');
  t.is((await bindingOf(h, taker))?.phoneHash, h.deps.vault.lookupHash('13500135000'));
  t.truthy(await h.deps.db.getRepository(AuditEvent).findOneBy({ subscriberId: holderId, action: 'phone_moved_away' }));
});

test('provider faults: an outage leaves the token usable, wrong credentials say one-tap is unavailable; both offer the SMS code', async (t) => {
  const openid = 'oOneTap_faults_0001';
  const { h, c } = await signedIn(t, openid);

  h.aliyun.failNext({ status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' });
  const token = h.aliyun.issueToken('13400134000');
  const down = await oneTap(c, token);
  t.is(down.status, 503);
  t.like(down.body as Refusal, { error: 'unavailable', fallback: 'sms' });
  t.regex((down.body as Refusal).message, /暂时不可用.*短信验证码/);
  const again = await oneTap(c, token);
  t.is(again.status, 200, 'the same token works once Aliyun is back');

  h.aliyun.failNext({ code: 'isv.SCENE_QUERY_FAIL', message: '场景查询失败' });
  const start = await c.json<Refusal>('/h5/api/bind/one-tap/start', { body: {} });
  t.is(start.status, 503);
  t.like(start.body, { error: 'misconfigured', fallback: 'sms' });

  const wrong = await startOneTapHarness({ db: 'sqlite', store: 'memory', secret: 'not-the-secret-aliyun-knows-0000000' });
  t.teardown(() => wrong.close());
  wrong.wechat.state.follow(openid);
  const w = await wrong.signIn(openid);
  const refused = await w.json<Refusal>('/h5/api/bind/one-tap/start', { body: {} });
  t.is(refused.status, 503);
  t.like(refused.body, { error: 'misconfigured', fallback: 'sms' });
  t.like(wrong.aliyun.requests[0], { signatureVerified: false, rejectedWith: 'SignatureDoesNotMatch' });
});

test('the SMS code on the same page: send, a wrong code, the right code binds; the chat links to the page', async (t) => {
  const openid = 'oOneTap_sms_000001';
  const { h, c } = await signedIn(t, openid);

  t.like((await c.json<Refusal>('/h5/api/bind/sms', { body: { phone: '12345' } })).body, { error: 'bad_phone' });
  const sent = await c.json<{ sent: boolean; message: string }>('/h5/api/bind/sms', { body: { phone: '+86 139-0013-9000' } });
  t.is(sent.status, 200);
  t.like(sent.body, { sent: true, message: '验证码已发送至139****9000，5分钟内有效。' });
  const again = await c.json<Refusal>('/h5/api/bind/sms', { body: { phone: '13900139000' } });
  t.is(again.status, 429);
  t.like(again.body, { error: 'cooldown' });
  const code = await eventually(() => h.codesFor('13900139000').at(-1));
  const wrongCode = code === '000000' ? '111111' : '000000';
  const wrong = await c.json<Refusal>('/h5/api/bind/sms/verify', { body: { code: wrongCode } });
  t.is(wrong.status, 400);
  t.like(wrong.body, { error: 'wrong_code', message: '验证码不正确，还可尝试4次。' });
  const ok = await c.json<{ bound: boolean; phone: string }>('/h5/api/bind/sms/verify', { body: { code } });
  t.is(ok.status, 200);
  t.like(ok.body, { bound: true, phone: '139****9000' });
  t.is((await bindingOf(h, openid))?.phoneHash, h.deps.vault.lookupHash('13900139000'));

  const other = 'oOneTap_sms_chat_01';
  h.wechat.state.follow(other);
  const asked = await h.sender.send(h.sender.event(other, 'CLICK', KEYS.bindPhone));
  t.regex(asked.reply!.Content, new RegExp(`<a href="${h.server.url}/h5/bind">打开绑定页面</a>`));
});

test('NUMBER_AUTH_PROVIDER=none: the page offers the SMS code only, one-tap answers not_available', async (t) => {
  const openid = 'oOneTap_none_000001';
  const { h, c } = await signedIn(t, openid, { db: 'sqlite', store: 'memory', env: { NUMBER_AUTH_PROVIDER: 'none' } });
  const page = await (await c.request('/h5/bind')).text();
  t.false(page.includes('id="one-tap"'));
  t.regex(page, /短信验证码绑定/);
  const r = await c.json<Refusal>('/h5/api/bind/one-tap/start', { body: {} });
  t.is(r.status, 404);
  t.like(r.body, { error: 'not_available', fallback: 'sms' });
  t.is(h.aliyun.requests.length, 0);
});
