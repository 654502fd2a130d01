// The WeChat API client against the simulated WeChat API over real HTTP, with the token in real Redis
// (and the in-process store): token refresh and retry bounds, exact msgids, typed errors, timeouts,
// menus with WeChat's errcodes, and OAuth2 codes.
import test, { type ExecutionContext } from 'ava';
import type { WechatApiServerOptions } from '../app/simulator/wechat-api-server';
import type { Store } from '../app/store';
import {
  isOutcomeUncertain,
  isRateLimited,
  isUserBlocked,
  WechatApiError,
  WechatOAuthCodeError,
  WechatTimeoutError,
  WechatTokenError,
  WechatTransportError,
} from '../app/wechat/api-errors';
import { WechatClient, type WechatMenu } from '../app/wechat/api-client';
import { parseWechatJson } from '../app/wechat/api-http';
import { authorizeUrl, WechatOAuth } from '../app/wechat/oauth';
import { createTestStore } from './support/backends';
import { FAKE_APP, startFakeWechatApi } from './support/fake-wechat-api';

const ALICE = 'oAlice000000000000000001';
const TEMPLATE = '/cgi-bin/message/template/send';
const CUSTOM = '/cgi-bin/message/custom/send';

interface SetupOptions {
  store?: 'redis' | 'memory';
  server?: Partial<WechatApiServerOptions>;
  timeoutMs?: number;
  appSecret?: string;
}

async function setup(t: ExecutionContext, o: SetupOptions = {}) {
  const fake = await startFakeWechatApi(o.server);
  const store: Store = await createTestStore(o.store ?? 'redis');
  const client = new WechatClient({
    appId: FAKE_APP.appId,
    appSecret: o.appSecret ?? FAKE_APP.appSecret,
    apiBase: fake.baseUrl,
    store,
    timeoutMs: o.timeoutMs,
    busyBackoffMs: 10,
  });
  t.teardown(async () => {
    await store.del(client.tokens.key);
    await store.close();
    await fake.close();
  });
  fake.state.follow(ALICE);
  return { fake, state: fake.state, store, client };
}

const intercept = { openid: ALICE, templateId: FAKE_APP.templateIntercept, url: 'https://example.test/h5/records', data: { thing1: '贷款理财', time2: '2024-05-01 10:00' } };

for (const kind of ['redis', 'memory'] as const) {
  test(`${kind}: a rejected token (40001) is expired, fetched once and the call retried once`, async (t) => {
    const { state, store, client } = await setup(t, { store: kind });
    const first = await client.tokens.getToken();
    state.revokeTokens(); // someone forced a refresh elsewhere: our stored token is dead
    await client.sendCustomText(ALICE, '已为您开启防护');
    t.is(state.customMessages().length, 1);
    t.is(state.customMessages()[0].text, '已为您开启防护');
    t.is(state.requestCount(CUSTOM), 2, 'one rejected call, one retry');
    t.is(state.counters.tokenFetches, 2, 'the first fetch and exactly one refresh');
    const now = await store.get(client.tokens.key);
    t.truthy(now);
    t.not(now, first);
  });

  test(`${kind}: an expired token (42001) is refreshed once and the send goes through`, async (t) => {
    const { state, client } = await setup(t, { store: kind });
    await client.tokens.getToken();
    state.expireTokens();
    const { msgid } = await client.sendTemplate(intercept);
    t.is(state.templateMessages()[0].msgid, msgid);
    t.is(state.counters.tokenFetches, 2);
    t.is(state.requestCount(TEMPLATE), 2);
  });
}

test('40001 twice: the error surfaces after exactly one retry, no loop', async (t) => {
  const { state, client } = await setup(t);
  state.failNext(TEMPLATE, 40001, 2);
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatApiError });
  t.is(err!.errcode, 40001);
  t.is(state.requestCount(TEMPLATE), 2);
  t.is(state.counters.tokenFetches, 2);
  t.is(state.templateMessages().length, 0, 'nothing was delivered');
  // The next send is an ordinary one again: the fault was spent, the token is fine.
  await client.sendTemplate(intercept);
  t.is(state.templateMessages().length, 1);
});

test('40014 (malformed token) is treated as a rejected token too', async (t) => {
  const { state, client } = await setup(t);
  state.failNext(CUSTOM, 40014, 1);
  await client.sendCustomText(ALICE, '您好');
  t.is(state.customMessages().length, 1);
  t.is(state.counters.tokenFetches, 2);
});

test('a template msgid beyond 2^53 comes back exactly as WeChat wrote it', async (t) => {
  const { state, client } = await setup(t);
  const a = await client.sendTemplate(intercept);
  const b = await client.sendTemplate({ ...intercept, templateId: FAKE_APP.templateEnabled, url: undefined, data: { thing1: { value: '已开启' } } });
  t.is(a.msgid, '3487542469355618313');
  t.is(b.msgid, '3487542469355618314');
  t.deepEqual(
    state.templateMessages().map((m) => m.msgid),
    [a.msgid, b.msgid],
  );
  // What the SDK's JSON.parse would have produced, to show the difference is real.
  t.not(String(JSON.parse(`{"msgid":${a.msgid}}`).msgid), a.msgid);
  t.deepEqual(state.templateMessages()[0].data, { thing1: { value: '贷款理财' }, time2: { value: '2024-05-01 10:00' } });
  t.is(state.templateMessages()[0].url, intercept.url);
});

test('lossless parse keeps big integers exact and leaves strings and small numbers alone', (t) => {
  t.deepEqual(parseWechatJson('{"a":3487542469355618313,"b":"x:12345678901234567890,","c":-1,"d":1.5e3,"e":[9007199254740993]}'), {
    a: '3487542469355618313',
    b: 'x:12345678901234567890,',
    c: -1,
    d: 1500,
    e: ['9007199254740993'],
  });
  t.deepEqual(parseWechatJson('{"s":"quote \\" 12345678901234567890"}'), { s: 'quote " 12345678901234567890' });
});

test('a user who unfollowed (43004) or refused the template (43101) gets a typed error, nothing is sent', async (t) => {
  const { state, client } = await setup(t);
  state.unfollow(ALICE);
  const gone = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatApiError });
  t.is(gone!.errcode, 43004);
  t.true(isUserBlocked(gone));
  state.follow(ALICE);
  state.refuseTemplate(ALICE, FAKE_APP.templateIntercept);
  const refused = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatApiError });
  t.is(refused!.errcode, 43101);
  t.true(isUserBlocked(refused));
  t.is(state.templateMessages().length, 0);
  t.is(state.requestCount(TEMPLATE), 2, 'user errors are not retried');
});

test('a template id of another account (40037) and a rate limit (45009) are typed and not retried', async (t) => {
  const { state, client } = await setup(t);
  const bad = await t.throwsAsync(client.sendTemplate({ ...intercept, templateId: 'SOMEONE_ELSES' }), { instanceOf: WechatApiError });
  t.is(bad!.errcode, 40037);
  state.failNext(TEMPLATE, 45009);
  const limited = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatApiError });
  t.true(isRateLimited(limited));
  t.false(isUserBlocked(limited));
  t.is(state.requestCount(TEMPLATE), 2);
});

test('keyword values over 20 characters are refused by WeChat (47003)', async (t) => {
  const { state, client } = await setup(t);
  const err = await t.throwsAsync(client.sendTemplate({ ...intercept, data: { thing1: '这是一段超过二十个字的关键词内容会被微信拒绝掉的' } }), { instanceOf: WechatApiError });
  t.is(err!.errcode, 47003);
  t.is(state.templateMessages().length, 0);
});

test('system busy (-1) is retried once after a backoff; twice busy is an error', async (t) => {
  const { state, client } = await setup(t);
  state.failNext(TEMPLATE, -1, 1);
  await client.sendTemplate(intercept);
  t.is(state.templateMessages().length, 1);
  state.failNext(TEMPLATE, -1, 2);
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatApiError });
  t.is(err!.errcode, -1);
  t.is(state.requestCount(TEMPLATE), 4);
  t.is(state.templateMessages().length, 1);
});

test('a template send that times out is a WechatTimeoutError, marked uncertain, and not retried', async (t) => {
  const { state, client } = await setup(t, { timeoutMs: 300 });
  await client.tokens.getToken();
  state.failNext(TEMPLATE, 'timeout');
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatTimeoutError });
  t.true(isOutcomeUncertain(err));
  t.is(err!.path, TEMPLATE);
  t.is(state.requestCount(TEMPLATE), 1);
  t.notRegex(err!.message, /access_token|SIM_/, 'the token never leaks into errors');
});

test('a timeout through the SDK path (customer-service text) is a WechatTimeoutError too', async (t) => {
  const { state, client } = await setup(t, { timeoutMs: 300 });
  state.failNext(CUSTOM, 'timeout');
  await t.throwsAsync(client.sendCustomText(ALICE, '您好'), { instanceOf: WechatTimeoutError });
  t.is(state.requestCount(CUSTOM), 1);
});

test('an HTTP 502 from a gateway in front of WeChat is a transport error that may have gone through', async (t) => {
  const { state, client } = await setup(t);
  state.failNext(TEMPLATE, { http: 502 });
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatTransportError });
  t.is(err!.status, 502);
  t.true(isOutcomeUncertain(err));
});

test('nothing listening: a transport error that certainly did not reach WeChat', async (t) => {
  const { fake, client } = await setup(t);
  await client.tokens.getToken();
  await fake.close();
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatTransportError });
  t.false(isOutcomeUncertain(err));
});

test('customer-service text outside the 48-hour window answers 45015', async (t) => {
  const { state, client } = await setup(t);
  state.interact(ALICE, Date.now() - 49 * 3600_000);
  const err = await t.throwsAsync(client.sendCustomText(ALICE, '您好'), { instanceOf: WechatApiError });
  t.is(err!.errcode, 45015);
  state.interact(ALICE);
  await client.sendCustomText(ALICE, '您好');
  t.is(state.customMessages().length, 1);
});

const goodMenu: WechatMenu = {
  button: [
    {
      name: '业务设置',
      sub_button: [
        { type: 'click', name: '拦截设置', key: 'SETTINGS_INTERCEPT' },
        { type: 'view', name: '拦截记录', url: 'https://fsr.example.test/h5/records' },
      ],
    },
    { type: 'click', name: '绑定手机', key: 'BIND_PHONE' },
    { type: 'click', name: '开启防护', key: 'PROTECTION_ON' },
  ],
};

test('a menu within the limits is published and read back', async (t) => {
  const { state, client } = await setup(t);
  t.is(await client.getMenu(), null, 'no menu yet (46003)');
  await client.createMenu(goodMenu);
  t.is(state.menu?.button[0].name, '业务设置');
  const back = await client.getMenu();
  t.is(back?.button.length, 3);
  t.deepEqual(back?.button[0].sub_button?.map((b) => b.name), ['拦截设置', '拦截记录']);
  t.is(back?.button[1].key, 'BIND_PHONE');
  const info = await client.call<{ is_menu_open: number; selfmenu_info: { button: { name: string; sub_button?: { list: { name: string }[] } }[] } }>(
    '/cgi-bin/get_current_selfmenu_info',
  );
  t.is(info.is_menu_open, 1);
  t.deepEqual(info.selfmenu_info.button[0].sub_button?.list.map((b) => b.name), ['拦截设置', '拦截记录']);
});

const sub = (b: object) => ({ button: [{ name: '业务设置', sub_button: [b] }] });
const menuCases: [string, unknown, number][] = [
  ['four top-level buttons', { button: [1, 2, 3, 4].map((i) => ({ type: 'click', name: `按钮${i}`, key: `K${i}` })) }, 40016],
  ['no buttons', { button: [] }, 40016],
  ['an unknown button type', { button: [{ type: 'teleport', name: '绑定手机', key: 'K' }] }, 40017],
  ['a top-level name over 16 bytes', { button: [{ type: 'click', name: '绑定手机号码吧', key: 'K' }] }, 40018],
  ['a click key over 128 bytes', { button: [{ type: 'click', name: '绑定手机', key: 'K'.repeat(129) }] }, 40019],
  ['six sub-buttons', { button: [{ name: '业务设置', sub_button: [1, 2, 3, 4, 5, 6].map((i) => ({ type: 'click', name: `子${i}`, key: `K${i}` })) }] }, 40023],
  ['a sub-button name over 60 bytes', sub({ type: 'click', name: '拦'.repeat(21), key: 'K' }), 40025],
  ['a sub-button key over 128 bytes', sub({ type: 'click', name: '拦截设置', key: 'k'.repeat(129) }), 40026],
  ['a sub-button URL over 1024 bytes', sub({ type: 'view', name: '拦截记录', url: `https://fsr.example.test/${'a'.repeat(1024)}` }), 40027],
  ['a sub-button URL that is not http(s)', sub({ type: 'view', name: '拦截记录', url: 'javascript:alert(1)' }), 40054],
];

for (const [what, menu, errcode] of menuCases) {
  test(`menu create refuses ${what} with ${errcode} and keeps the published menu`, async (t) => {
    const { state, client } = await setup(t, { store: 'memory' });
    await client.createMenu(goodMenu);
    const err = await t.throwsAsync(client.createMenu(menu as WechatMenu), { instanceOf: WechatApiError });
    t.is(err!.errcode, errcode);
    t.is(state.menu?.button[1].name, '绑定手机');
  });
}

test('limits are bytes: five Chinese characters (15 bytes) fit a top-level name, six do not', async (t) => {
  const { client } = await setup(t, { store: 'memory' });
  await client.createMenu({ button: [{ type: 'click', name: '五个汉字呀', key: 'K' }] });
  const err = await t.throwsAsync(client.createMenu({ button: [{ type: 'click', name: '六个汉字呀呀', key: 'K' }] }), { instanceOf: WechatApiError });
  t.is(err!.errcode, 40018);
});

test('an API base with a path (the simulator mounted at /simulator/wechat) works for every call', async (t) => {
  const { state, client, fake } = await setup(t, { server: { prefix: '/simulator/wechat' } });
  t.regex(fake.baseUrl, /\/simulator\/wechat$/);
  await client.createMenu(goodMenu);
  const { msgid } = await client.sendTemplate(intercept);
  await client.sendCustomText(ALICE, '您好');
  t.is(state.templateMessages()[0].msgid, msgid);
  t.is(state.customMessages().length, 1);
  t.truthy(state.menu);
  t.is(state.requestCount('/cgi-bin/stable_token'), 1);
});

test('stable_token is preferred; where it does not exist (404) the client falls back to /cgi-bin/token', async (t) => {
  const { state, client } = await setup(t, { store: 'memory' });
  state.failNext('/cgi-bin/stable_token', { http: 404 });
  await client.sendTemplate(intercept);
  t.is(state.counters.stableTokenFetches, 1);
  t.is(state.counters.plainTokenFetches, 1);
  t.is(state.templateMessages().length, 1);
});

test('a wrong app secret is a WechatTokenError (40125) that does not reveal the secret', async (t) => {
  const { state, client } = await setup(t, { appSecret: 'not-the-secret-000000' });
  const err = await t.throwsAsync(client.sendTemplate(intercept), { instanceOf: WechatTokenError });
  t.is(err!.errcode, 40125);
  t.notRegex(err!.message, /not-the-secret/);
  t.is(state.counters.plainTokenFetches, 0, 'a credential error is not a reason to try the other endpoint');
  t.is(state.requestCount(TEMPLATE), 0);
});

// ---- OAuth2 -------------------------------------------------------------------------------------------

test('the authorize URL is WeChat’s, parameters in WeChat’s order, ending in #wechat_redirect', (t) => {
  const url = authorizeUrl({ appId: 'wx123', redirectUri: 'https://fsr.example.test/h5/records?x=1', state: 'st8te' });
  t.is(
    url,
    'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123&redirect_uri=https%3A%2F%2Ffsr.example.test%2Fh5%2Frecords%3Fx%3D1&response_type=code&scope=snsapi_base&state=st8te#wechat_redirect',
  );
  t.true(authorizeUrl({ appId: 'wx1', redirectUri: 'http://a/b', state: 's' }, 'http://127.0.0.1:3000/simulator/wechat/').startsWith('http://127.0.0.1:3000/simulator/wechat/connect/oauth2/authorize?appid=wx1&'));
});

async function authorizeAs(baseUrl: string, openid: string | undefined, redirectUri = 'https://fsr.example.test/h5/records') {
  const url = new URL(authorizeUrl({ appId: FAKE_APP.appId, redirectUri, state: 'abc123' }, baseUrl));
  if (openid) url.searchParams.set('openid', openid);
  return fetch(url, { redirect: 'manual' });
}

test('OAuth2: the simulator redirects with code and state; the code yields the openid once', async (t) => {
  const { fake } = await setup(t, { server: { prefix: '/simulator/wechat' } });
  const res = await authorizeAs(fake.baseUrl, ALICE);
  t.is(res.status, 302);
  const back = new URL(res.headers.get('location')!);
  t.is(`${back.origin}${back.pathname}`, 'https://fsr.example.test/h5/records');
  t.is(back.searchParams.get('state'), 'abc123');
  const code = back.searchParams.get('code')!;
  t.regex(code, /^[0-9a-f]{32}$/);

  const oauth = new WechatOAuth({ appId: FAKE_APP.appId, appSecret: FAKE_APP.appSecret, apiBase: fake.baseUrl });
  t.deepEqual(await oauth.exchangeCode(code), { openid: ALICE, scope: 'snsapi_base', snapshot: false });
  const reused = await t.throwsAsync(oauth.exchangeCode(code), { instanceOf: WechatOAuthCodeError });
  t.is(reused!.errcode, 40163);
  const unknown = await t.throwsAsync(oauth.exchangeCode('0'.repeat(32)), { instanceOf: WechatOAuthCodeError });
  t.is(unknown!.errcode, 40029);
});

test('OAuth2: a code is refused with a wrong secret (40125), and is not spent by that attempt', async (t) => {
  const { fake } = await setup(t, { store: 'memory' });
  const code = new URL((await authorizeAs(fake.baseUrl, ALICE)).headers.get('location')!).searchParams.get('code')!;
  const wrong = new WechatOAuth({ appId: FAKE_APP.appId, appSecret: 'wrong-secret-00000000', apiBase: fake.baseUrl });
  const err = await t.throwsAsync(wrong.exchangeCode(code), { instanceOf: WechatApiError });
  t.is(err!.errcode, 40125);
  t.false(err instanceof WechatOAuthCodeError);
  const right = new WechatOAuth({ appId: FAKE_APP.appId, appSecret: FAKE_APP.appSecret, apiBase: fake.baseUrl });
  t.is((await right.exchangeCode(code)).openid, ALICE);
});

test('OAuth2: without an openid the simulator shows a chooser listing the followers', async (t) => {
  const { fake } = await setup(t, { store: 'memory' });
  const res = await authorizeAs(fake.baseUrl, undefined);
  t.is(res.status, 200);
  const html = await res.text();
  t.true(html.includes(ALICE));
  t.true(html.includes('openid='));
  const bad = await fetch(new URL(authorizeUrl({ appId: 'wxnotours', redirectUri: 'https://a.test/', state: 's' }, fake.baseUrl)), { redirect: 'manual' });
  t.is(bad.status, 400);
});
