// NUMBER_AUTH_PROVIDER=simulator over HTTP, as `npm start` assembles it with no configuration: the simulated
// carrier answers only the phone on mobile data, only with the hidden digits right, and its tokens are
// single use and good only for the session they were issued under. Plus the configuration rules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { H5Client } from './support/h5-harness';

test('the simulated carrier: own number only, on mobile data only; a token is single use and never another session’s', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-onetap-sim-'));
  const deps = await openDeps(loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'fsr.sqlite')}`, PORT: '0', LOG_LEVEL: 'silent' }), { migrate: true });
  const server = await startServer(deps, { port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await server.close();
    await closeDeps(deps);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const state = (await (await fetch(`${server.url}/simulator/api/state`)).json()) as { users: { openid: string; phone: string }[] };
  const [alice, bob] = state.users;

  // Each person's phone: signed in to the pages, and known to the simulated carrier by the device cookie.
  const device = async (u: { openid: string }) => {
    const c = new H5Client(server.url);
    await c.signIn(u.openid, '/h5/bind');
    c.cookies.set('fsr_sim_openid', u.openid);
    return c;
  };
  const a = await device(alice);
  const b = await device(bob);
  const carrier = async (c: H5Client, step: string, body: object) => (await c.json<{ code: number; spToken?: string; data?: { maskPhone: string } }>(`/simulator/number-auth/api/${step}`, { body })).body;
  const tokenFor = async (c: H5Client, phone: string) => {
    const creds = (await c.json<{ accessToken: string; jwtToken: string; sdkUrl: string }>('/h5/api/bind/one-tap/start', { body: {} })).body;
    t.is(creds.sdkUrl, '/simulator/number-auth/sdk.js');
    t.is((await carrier(c, 'check', creds)).code, 600000);
    t.is((await carrier(c, 'mask', creds)).data?.maskPhone, `${phone.slice(0, 3)}****${phone.slice(7)}`);
    t.not((await carrier(c, 'token', { ...creds, mask: '9999' === phone.slice(3, 7) ? '0000' : '9999' })).code, 600000, 'wrong hidden digits get no token');
    return (await carrier(c, 'token', { ...creds, mask: phone.slice(3, 7) })).spToken!;
  };

  t.regex(await (await fetch(`${server.url}/simulator/number-auth/sdk.js`)).text(), /PhoneServerCustomization/);
  const aliceToken = await tokenFor(a, alice.phone);
  // Bob's session with Alice's token: the carrier issued it to Alice's session only.
  const stolen = await b.json<{ error: string; message: string }>('/h5/api/bind/one-tap', { body: { token: aliceToken } });
  t.is(stolen.status, 409);
  t.is(stolen.body.error, 'token_invalid');
  // …and it was spent by that attempt, as a carrier's token is: Alice asks for a new one.
  t.is((await a.json<{ error: string }>('/h5/api/bind/one-tap', { body: { token: aliceToken } })).body.error, 'token_reused');
  const fresh = await tokenFor(a, alice.phone);
  const bound = await a.json<{ bound: boolean; phone: string }>('/h5/api/bind/one-tap', { body: { token: fresh } });
  t.like(bound.body, { bound: true, phone: `${alice.phone.slice(0, 3)}****${alice.phone.slice(7)}` });
  t.is((await (await a.request('/h5/api/preferences')).json() as { phone: string }).phone, bound.body.phone);

  // On Wi-Fi the carrier has no number to give.
  await fetch(`${server.url}/simulator/api/mobile-data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openid: bob.openid, on: false }) });
  const creds = (await b.json<{ accessToken: string; jwtToken: string }>('/h5/api/bind/one-tap/start', { body: {} })).body;
  t.is((await carrier(b, 'check', creds)).code, 600011);
  t.is((await carrier(b, 'token', { ...creds, mask: bob.phone.slice(3, 7) })).spToken, undefined);
  // Credentials never issued by us are refused by the simulated SDK gateway.
  t.is((await carrier(a, 'check', { accessToken: 'SIMATforged', jwtToken: 'x' })).code, 600010);
});

test('NUMBER_AUTH_PROVIDER: simulator by default in embedded mode, none with a real account, never simulator in production; aliyun names what it lacks', (t) => {
  const base = { DATABASE_URL: 'sqlite::memory:', DATA_KEY: Buffer.alloc(32, 7).toString('base64') };
  t.is(loadConfig(base).numberAuth.provider, 'simulator');
  t.is(loadConfig({ ...base, WECHAT_APPID: 'wx1234567890abcdef' }).numberAuth.provider, 'none');
  const prod = { ...base, NODE_ENV: 'production', WECHAT_APPID: 'wx1234567890abcdef', WECHAT_APPSECRET: 's', WECHAT_TOKEN: 'tok123', WECHAT_API_BASE: 'https://api.weixin.qq.com', PUBLIC_BASE_URL: 'https://fsr.example.com' };
  t.is(loadConfig(prod).numberAuth.provider, 'none');
  t.throws(() => loadConfig({ ...prod, NUMBER_AUTH_PROVIDER: 'simulator' }), { instanceOf: ConfigError, message: /embedded mode only/ });
  t.throws(() => loadConfig({ ...base, NUMBER_AUTH_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'LTAI5t' }), {
    instanceOf: ConfigError,
    message: 'NUMBER_AUTH_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_SECRET, NUMBER_AUTH_SCENE_CODE, NUMBER_AUTH_SDK_URL',
  });
  const ok = loadConfig({ ...base, NUMBER_AUTH_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'LTAI5t', ALIYUN_ACCESS_KEY_SECRET: 'sec', NUMBER_AUTH_SCENE_CODE: 'FC1000', NUMBER_AUTH_SDK_URL: '/static/numberAuth-web-sdk.js' });
  t.like(ok.numberAuth, { provider: 'aliyun', aliyun: { sceneCode: 'FC1000', sdkUrl: '/static/numberAuth-web-sdk.js' } });
  t.throws(() => loadConfig({ ...base, NUMBER_AUTH_PROVIDER: 'tencent' }), { instanceOf: ConfigError, message: /NUMBER_AUTH_PROVIDER/ });
});
