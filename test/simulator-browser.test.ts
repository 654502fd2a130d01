// From a fresh `npm start` with no configuration, a person plays a subscriber in the simulator
// page — follow, 业务设置 → 拦截设置, bind with the code read from the simulated SMS inbox, enable, a loan
// marketer's call is blocked, the notice appears in the chat, 拦截记录 lists it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { chromium } from 'playwright-core';
import { artifactPath, CHROMIUM } from './support/browser';

const MAIN = path.resolve(__dirname, '../app/main.js');
const SCREENSHOT = path.resolve(__dirname, '../../docs/screenshots/simulator.png');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('the whole journey in the simulator page, from a fresh start with no configuration', async (t) => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-fresh-'));
  const port = await freePort();
  // No environment beyond what a shell has: no database, Redis, WeChat or SMS settings.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) };
  const child = spawn(process.execPath, [MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  t.teardown(() => {
    child.kill('SIGTERM');
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      const m = output.match(/running: (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  t.regex(url, /\/simulator\/$/);
  t.true(fs.existsSync(path.join(cwd, 'data', 'fsr.sqlite')), 'the embedded SQLite file lives under ./data/');

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await page.goto(url);

  const chat = page.locator('#chat');
  const lastReply = () => chat.locator('[data-kind="them"]').last();

  await page.getByRole('button', { name: '关注公众号' }).click();
  await t.notThrowsAsync(lastReply().filter({ hasText: '欢迎关注防骚扰服务' }).waitFor());

  await page.getByRole('button', { name: '≡ 业务设置' }).click();
  await page.getByRole('menuitem', { name: '拦截设置' }).click();
  await lastReply().filter({ hasText: '尚未绑定手机号' }).waitFor();

  const phone = (await page.locator('#sms-phone').textContent())!.match(/1\d{10}/)![0];
  await page.getByRole('button', { name: '切换到键盘' }).click();
  await page.getByLabel('消息内容').fill(phone);
  await page.getByRole('button', { name: '发送' }).click();
  await lastReply().filter({ hasText: '验证码已发送' }).waitFor();
  const sms = page.locator('#sms li').filter({ hasText: '验证码' }).last();
  await sms.waitFor();
  const code = (await sms.textContent())!.match(/验证码(\d{6})/)![1];
  await page.getByLabel('消息内容').fill(code);
  await page.getByRole('button', { name: '发送' }).click();
  await lastReply().filter({ hasText: '绑定成功' }).waitFor();

  await page.getByRole('button', { name: '切换到菜单' }).click();
  await page.getByRole('button', { name: '≡ 业务设置' }).click();
  await page.getByRole('menuitem', { name: '开启防护' }).click();
  await lastReply().filter({ hasText: '开启防骚扰保护' }).waitFor();
  await chat.locator('[data-kind="template"]').filter({ hasText: '服务开通提醒' }).waitFor();
  await page.locator('#sms li').filter({ hasText: '已开启骚扰电话拦截' }).waitFor();

  await page.getByLabel('主叫号码').fill('4001234567');
  await page.getByLabel('主叫登记行业').selectOption('loan_finance');
  await page.getByRole('button', { name: '拨打' }).click();
  const decision = page.locator('#decision');
  await decision.filter({ hasText: 'block' }).waitFor();
  t.regex((await decision.textContent())!, /category_block · loan_finance/);
  const notice = chat.locator('[data-kind="template"]').filter({ hasText: '拦截通知提醒' });
  await notice.waitFor({ timeout: 15_000 });
  t.regex((await notice.textContent())!, /4001234567/);

  await page.getByRole('button', { name: '拦截记录' }).click();
  await lastReply().filter({ hasText: '4001234567' }).waitFor();

  // The notice's 详情 link opens the 拦截记录 page inside the phone, signed in through OAuth2.
  await notice.getByRole('link', { name: '详情' }).click();
  await page.frameLocator('#h5-frame').getByText('4001234567').first().waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: '关闭页面' }).click();

  await page.screenshot({ path: artifactPath('simulator-journey.png') });
  t.regex((await page.locator('#netlog').textContent())!, /POST \/wechat event CLICK FSR_RECORDS \(safe mode\)/, 'WeChat talks to the server in safe mode');

  // A view button opens its H5 page inside the phone, signed in through the simulated OAuth2 redirect.
  await page.getByRole('button', { name: '≡ 业务设置' }).click();
  await page.getByRole('menuitem', { name: '设置页面' }).click();
  const frame = page.frameLocator('#h5-frame');
  await frame.getByText('138****8000').first().waitFor({ timeout: 15_000 });
  t.false(await frame.getByText('13800138000').isVisible(), 'the page shows the phone masked');
  await page.screenshot({ path: artifactPath('simulator-h5.png') });
  if (!fs.existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  }
  t.notRegex(output, /1[3-9]\d{9}/, 'no full phone number in the logs');
});
