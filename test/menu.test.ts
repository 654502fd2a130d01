// The menu of docs/interfaces.md, within WeChat's limits, published by `npm run menu:publish` through the
// WeChat API (the fake answers with WeChat's own validation and errcodes).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { buildMenu, MenuError, validateMenu } from '../menus/build';
import { MENU } from '../menus/tree';
import { FAKE_APP, startFakeWechatApi } from './support/fake-wechat-api';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../menus/publish-cli.js');

test('the menu: 业务设置 first with 拦截设置 in it; 绑定手机, 开启防护 and 拦截记录 by name; view links on the public base', (t) => {
  const menu = buildMenu('https://fsr.example.com');
  t.is(menu.button[0].name, '业务设置');
  t.truthy(menu.button[0].sub_button?.find((b) => b.name === '拦截设置' && b.type === 'click'));
  const names = menu.button.flatMap((b) => [b.name, ...(b.sub_button ?? []).map((s) => s.name)]);
  for (const n of ['绑定手机', '开启防护', '拦截记录']) t.true(names.includes(n), n);
  const views = menu.button.flatMap((b) => b.sub_button ?? []).filter((b) => b.type === 'view');
  t.true(views.length > 0 && views.every((v) => v.url!.startsWith('https://fsr.example.com/h5/')));
});

test("WeChat's limits are checked before anything is sent", (t) => {
  t.throws(() => validateMenu([...MENU, { type: 'click', name: '多余', key: 'X' }]), { instanceOf: MenuError, message: /1–3 top-level/ });
  t.throws(() => validateMenu([{ name: '太长的一级菜单名称', sub_button: [{ type: 'click', name: 'a', key: 'a' }] }]), { message: /exceeds 16 bytes/ });
  const six = Array.from({ length: 6 }, (_, i) => ({ type: 'click' as const, name: `b${i}`, key: `k${i}` }));
  t.throws(() => validateMenu([{ name: '业务', sub_button: six }]), { message: /6 sub-buttons/ });
  t.throws(() => validateMenu([{ type: 'click', name: 'a', key: 'k' }, { type: 'click', name: 'b', key: 'k' }]), { message: /duplicate key/ });
});

test('npm run menu:publish creates the menu through WECHAT_API_BASE; WeChat then serves it', async (t) => {
  const wechat = await startFakeWechatApi();
  t.teardown(() => wechat.close());
  const env = { PATH: process.env.PATH, WECHAT_APPID: FAKE_APP.appId, WECHAT_APPSECRET: FAKE_APP.appSecret, WECHAT_TOKEN: 'menutoken', WECHAT_API_BASE: wechat.baseUrl, PUBLIC_BASE_URL: 'https://fsr.example.com', LOG_LEVEL: 'silent' };
  const { stdout } = await run(process.execPath, [CLI], { env });
  t.regex(stdout, /menu published: 业务设置 \[拦截设置/);
  t.is(wechat.state.menu?.button[0].name, '业务设置');
  t.is(wechat.state.menu?.button[0].sub_button?.[0].name, '拦截设置');
});

test('menu:publish without WECHAT_API_BASE explains what to set instead of publishing nowhere', async (t) => {
  const err = await t.throwsAsync(run(process.execPath, [CLI], { env: { PATH: process.env.PATH } }));
  t.regex(String((err as { stderr?: string }).stderr), /WECHAT_API_BASE/);
});
