// 本机号码一键登录 in a real Chromium, through the embedded simulator as `npm start` assembles it with no
// configuration at all: 绑定手机 in the chat links to the bind page, which opens in the phone through the
// simulated OAuth2; the simulated carrier gives the phone on mobile data a token for its own number after
// the subscriber has seen the masked number, typed its hidden digits and agreed; 立即开通 follows. A second
// phone on Wi-Fi falls back to the SMS code on the same page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { chromium } from 'playwright-core';
import { PhoneBinding } from '../entities';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { artifactPath, CHROMIUM } from './support/browser';

const README_SHOT = path.resolve(__dirname, '../../docs/screenshots/one-tap.png');

test('one tap binds the simulated phone on mobile data; on Wi-Fi the SMS code on the same page does', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-onetap-'));
  // Nothing configured but where the embedded database lives: the simulator plays WeChat, SMS and the carrier.
  const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'fsr.sqlite')}`, PORT: '0', LOG_LEVEL: 'silent' });
  t.is(config.numberAuth.provider, 'simulator', 'the simulator is the default when nothing is configured');
  const deps = await openDeps(config, { migrate: true });
  const server = await startServer(deps, { port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.teardown(async () => {
    await browser.close();
    await server.close();
    await closeDeps(deps);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await page.goto(`${server.url}/simulator/`);
  const chat = page.locator('#chat');
  const lastReply = () => chat.locator('[data-kind="them"]').last();
  const frame = page.frameLocator('#h5-frame');

  await page.getByRole('button', { name: '关注公众号' }).click();
  await lastReply().filter({ hasText: '欢迎关注防骚扰服务' }).waitFor();
  const phone = (await page.locator('#sms-phone').textContent())!.match(/1\d{10}/)![0];
  t.true(await page.getByLabel('使用移动数据网络（本机号码一键登录）').isChecked());

  // 业务设置 → 绑定手机: the reply links to the bind page, which opens inside the phone, signed in.
  await page.getByRole('button', { name: '≡ 业务设置' }).click();
  await page.getByRole('menuitem', { name: '绑定手机' }).click();
  await lastReply().getByRole('link', { name: '打开绑定页面' }).click();
  await frame.getByRole('heading', { name: '绑定手机' }).waitFor({ timeout: 15_000 });

  await frame.getByRole('button', { name: '本机号码一键登录' }).click();
  const masked = `${phone.slice(0, 3)}****${phone.slice(7)}`;
  await frame.getByTestId('mask').filter({ hasText: masked }).waitFor();
  // Nothing is exchanged before the subscriber agrees: the button stays disabled until then.
  t.true(await frame.getByRole('button', { name: '同意并登录绑定' }).isDisabled());
  await frame.getByLabel('号码中间4位').fill(phone.slice(3, 7));
  await page.screenshot({ path: artifactPath('one-tap-confirm.png') });
  if (!fs.existsSync(README_SHOT) || process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.dirname(README_SHOT), { recursive: true });
    fs.copyFileSync(artifactPath('one-tap-confirm.png'), README_SHOT);
  }
  await frame.getByLabel(/我已阅读并同意/).check();
  await frame.getByRole('button', { name: '同意并登录绑定' }).click();
  await frame.getByRole('alert').filter({ hasText: `手机号${masked}绑定成功` }).waitFor();
  await frame.getByTestId('phone').filter({ hasText: masked }).waitFor({ timeout: 10_000 });
  t.false(await frame.getByText(phone).isVisible(), 'the page shows the phone masked');

  await frame.getByRole('button', { name: '立即开通' }).click();
  await chat.locator('[data-kind="template"]').filter({ hasText: '服务开通提醒' }).waitFor({ timeout: 15_000 });
  await frame.getByTestId('state').filter({ hasText: '保护中' }).waitFor();
  await page.screenshot({ path: artifactPath('one-tap-bound.png') });
  await page.getByRole('button', { name: '关闭页面' }).click();

  // A second person whose phone is on Wi-Fi: one tap cannot work; the page says so and the SMS code binds.
  await page.getByRole('button', { name: '＋ 新增用户' }).click();
  await page.getByRole('button', { name: '关注公众号' }).click();
  await lastReply().filter({ hasText: '欢迎关注防骚扰服务' }).waitFor();
  const second = (await page.locator('#sms-phone').textContent())!.match(/1\d{10}/)![0];
  t.not(second, phone);
  await page.getByLabel('使用移动数据网络（本机号码一键登录）').uncheck();
  await page.getByRole('button', { name: '≡ 业务设置' }).click();
  await page.getByRole('menuitem', { name: '拦截设置' }).click();
  await lastReply().filter({ hasText: '尚未绑定手机号' }).getByRole('link', { name: '打开绑定页面' }).click();
  await frame.getByRole('heading', { name: '绑定手机' }).waitFor({ timeout: 15_000 });
  await frame.getByRole('button', { name: '本机号码一键登录' }).click();
  await frame.getByRole('alert').filter({ hasText: '请使用下方短信验证码绑定' }).waitFor();
  t.true(await frame.locator('#one-tap-confirm').isHidden(), 'no confirmation without a number');

  await frame.getByLabel('手机号码').fill(second);
  await frame.getByRole('button', { name: '获取验证码' }).click();
  await frame.getByRole('alert').filter({ hasText: '验证码已发送' }).waitFor();
  const sms = page.locator('#sms li').filter({ hasText: '验证码' }).last();
  await sms.waitFor();
  const code = (await sms.textContent())!.match(/验证码(\d{6})/)![1];
  await frame.getByLabel('验证码', { exact: true }).fill(code);
  await frame.getByRole('button', { name: '绑定', exact: true }).click();
  await frame.getByTestId('phone').filter({ hasText: `${second.slice(0, 3)}****${second.slice(7)}` }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: artifactPath('one-tap-sms-fallback.png') });
  const held = await deps.db.getRepository(PhoneBinding).find();
  t.deepEqual(held.map((b) => deps.vault.decrypt(b.phoneCipher)).sort(), [phone, second].sort(), 'each person holds their own phone');
  await t.notThrowsAsync(page.locator('#sms-phone').filter({ hasText: `${second}（已绑定）` }).waitFor({ timeout: 10_000 }), 'the simulator shows the phone bound');
});
