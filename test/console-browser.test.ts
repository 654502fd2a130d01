// The operators' console in a real Chromium against the server as npm start assembles it (MariaDB, Redis,
// the carrier API signed like a network): signing in (wrong password, lockout, TOTP), each role's allowed
// and refused actions, a report confirmed and an appeal upheld with their effect on the next screen of the
// number, the dashboard drawn from the database, and the screenshots the README shows.
import test from 'ava';
import { generate } from 'otplib';
import type { BrowserContext, Page } from 'playwright-core';
import { SmsMessage } from '../entities';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { launchDesktopBrowser, saveScreenshot } from './support/browser';
import { CarrierClient } from './support/carrier-client';
import { addOperator } from './support/console-client';
import { fresh400, reported, subscriber } from './support/console-fixture';

const NET = { keyId: 'net-a', secret: 'net-a-secret-0123456789' };
const PW = 'correct horse battery';
let h: Harness;
let b: Awaited<ReturnType<typeof launchDesktopBrowser>>;
let carrier: CarrierClient;
let adamSecret: string;

test.before(async () => {
  h = await startHarness({ env: { CARRIER_KEYS: `${NET.keyId}:${NET.secret}` } });
  carrier = new CarrierClient(h.server.url, NET.keyId, NET.secret);
  b = await launchDesktopBrowser();
  await addOperator(h, 'vera', 'viewer', PW);
  await addOperator(h, 'rita', 'reviewer', PW);
  await addOperator(h, 'lola', 'reviewer', PW);
  adamSecret = (await addOperator(h, 'adam', 'admin', PW, { totp: true })).totpSecret!;
});
test.after.always(async () => {
  carrier?.close();
  await b?.close();
  await h?.close();
});

const url = (p: string) => `${h.server.consoleUrl}${p}`;

async function signIn(context: BrowserContext, name: string, o: { password?: string; code?: string } = {}): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url('/ops/'));
  await page.waitForURL(/\/ops\/login$/);
  await page.getByLabel('账号').fill(name);
  await page.getByLabel('密码').fill(o.password ?? PW);
  if (o.code) await page.getByLabel('动态验证码（如已开启）').fill(o.code);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState('domcontentloaded');
  return page;
}

// Asked as a dry run: the tests poll, and a caller screened again and again for one callee would become
// a call bomber (呼死你) of its own making.
async function screen(caller: string, callee: string): Promise<{ action: string; reason: string }> {
  const r = await carrier.post('/carrier/v1/screen', { caller, callee, dryRun: true });
  if (r.status !== 200) throw new Error(`screen answered ${r.status}: ${r.text}`);
  return r.json;
}

test.serial('sign-in: a wrong password is refused, five lock the account, and TOTP is asked for and checked', async (t) => {
  const ctx = await b.context();
  try {
    const page = await signIn(ctx, 'lola', { password: 'not the password' });
    await page.getByText('账号或密码错误').waitFor();
    t.regex(page.url(), /\/ops\/login$/);
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('密码').fill(`wrong-${i}`);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForLoadState('domcontentloaded');
    }
    await page.getByText(/登录失败次数过多，账号已锁定/).waitFor();
    await page.getByLabel('密码').fill(PW);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText(/账号已锁定/).waitFor();
    t.regex(page.url(), /\/ops\/login$/, 'the right password does not open a locked account');

    const adam = await signIn(ctx, 'adam');
    await adam.getByText('请输入动态验证码').waitFor();
    await adam.getByLabel('密码').fill(PW);
    await adam.getByLabel('动态验证码（如已开启）').fill(await generate({ secret: adamSecret }));
    await adam.getByRole('button', { name: '登录' }).click();
    await adam.waitForURL(/\/ops\/$/);
    t.is(await adam.locator('[data-operator]').textContent(), 'adam');
    t.true(await adam.getByRole('heading', { name: '服务总览' }).isVisible());
  } finally {
    await ctx.close();
  }
});

test.serial('a reviewer confirms a reported number in the console, and the next screen of it blocks', async (t) => {
  const number = fresh400();
  await reported(h, number, 'loan_finance', 1);
  const callee = await subscriber(h, { enabled: true });
  t.like(await screen(number, callee.phone), { action: 'allow' }, 'one report alone makes no label');

  const ctx = await b.context();
  try {
    const page = await signIn(ctx, 'rita');
    await page.getByRole('link', { name: '举报与投诉' }).click();
    const row = page.locator(`tr[data-number="${number}"]`);
    await row.getByLabel('类别').selectOption('loan_finance');
    await row.getByLabel('原因').fill('号码主人自称贷款中介');
    await row.getByRole('button', { name: '确认（加标记）' }).click();
    await page.getByText('已处理该号码的举报').waitFor();
    const decision = await eventually(async () => {
      const d = await screen(number, callee.phone);
      return d.action === 'block' ? d : null;
    });
    t.like(decision, { action: 'block', reason: 'category_block' });

    await page.goto(url(`/ops/labels?number=${number}`));
    t.true(await page.locator('tr[data-label="loan_finance"]').getByText('operator').isVisible());
    await page.getByRole('link', { name: '操作记录' }).click();
    t.true(await page.getByText('console_reports_confirm').first().isVisible());
  } finally {
    await ctx.close();
  }
});

test.serial('a reviewer upholds an appeal in the console, and the number is put through for everyone at the next screen', async (t) => {
  const number = fresh400();
  await reported(h, number, 'loan_finance', 5);
  const alice = await subscriber(h, { enabled: true });
  const bob = await subscriber(h, { enabled: true });
  const blocked = await eventually(async () => ((await screen(number, bob.phone)).action === 'block' ? true : null));
  t.true(blocked);
  const filed = await h.server.services.appeals.fileBySubscriber(alice.id, number, { source: { actor: 'subscriber', channel: 'wechat' }, note: '这是我的快递员' });

  const ctx = await b.context();
  try {
    const page = await signIn(ctx, 'rita');
    await page.getByRole('link', { name: '申诉' }).click();
    const row = page.locator(`tr[data-appeal="${filed.appealId}"]`);
    t.true(await row.getByText('这是我的快递员').isVisible());
    await row.getByLabel('处理说明').fill('快递公司号码，误标');
    await saveScreenshot(page, 'console-appeals.png');
    await row.getByRole('button', { name: '申诉成立（清除标记）' }).click();
    await page.getByText('申诉已处理').waitFor();
    t.is(await page.locator(`tr[data-appeal="${filed.appealId}"]`).count(), 0);
    const after = await eventually(async () => {
      const d = await screen(number, bob.phone);
      return d.action === 'allow' ? d : null;
    });
    t.like(after, { action: 'allow', reason: 'default' });
  } finally {
    await ctx.close();
  }
});

test.serial('a viewer sees the queues without action buttons, and a forged action is refused', async (t) => {
  const number = fresh400();
  await reported(h, number, 'insurance', 1);
  const ctx = await b.context();
  try {
    const page = await signIn(ctx, 'vera');
    await page.getByRole('link', { name: '举报与投诉' }).click();
    t.true(await page.locator(`tr[data-number="${number}"]`).isVisible());
    t.is(await page.getByRole('button', { name: '确认（加标记）' }).count(), 0);
    // The same post a reviewer's button makes, with the viewer's own session and CSRF token.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const r = await page.request.post(url('/ops/reports/review'), { form: { _csrf: csrf, number, decision: 'confirm', reason: 'viewer forges it' }, maxRedirects: 0 });
    t.is(r.status(), 403);
    t.true((await r.text()).includes('权限不足'));
    t.like(await screen(number, (await subscriber(h, { enabled: true })).phone), { action: 'allow' });
    // Reveal and replay are not offered either.
    await page.getByRole('link', { name: '用户查询' }).click();
    const sub = await subscriber(h);
    await page.getByLabel('手机号').fill(sub.phone);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-phone]').waitFor();
    t.regex((await page.locator('[data-phone]').textContent())!, /^\d{3}\*{4}\d{4}/);
    t.is(await page.getByRole('button', { name: '查看' }).count(), 0);
    t.false(page.url().includes(sub.phone), 'the phone never goes into a URL');
  } finally {
    await ctx.close();
  }
});

test.serial('an admin reveals a subscriber’s number with a reason, and the dashboard draws the day from the database', async (t) => {
  // A day of traffic: interceptions at several hours (each with its notice), OTP codes sent and failed,
  // 12321 complaints near and past their deadlines.
  const callees = [await subscriber(h, { enabled: true }), await subscriber(h, { enabled: true })];
  const now = Date.now();
  const categories = ['loan_finance', 'insurance', 'real_estate', 'education'];
  const events = Array.from({ length: 40 }, (_, i) => ({
    id: `dash-${process.pid}-${i}`,
    caller: fresh400(),
    callee: callees[i % 2].phone,
    at: new Date(now - ((i * 37) % 23) * 3_600_000 - i * 1000).toISOString(),
    action: 'block',
    reason: i % 5 === 0 ? 'reject_list_exact' : 'category_block',
    category: categories[i % categories.length],
  }));
  t.is((await carrier.post('/carrier/v1/interceptions', { events })).status, 200);
  const sms = h.deps.db.getRepository(SmsMessage);
  for (let i = 0; i < 12; i++)
    await sms.insert({ phoneHash: `h${i}`, phoneMasked: '138****0000', purpose: 'otp', template: 'otp', provider: 'http', status: i % 4 === 0 ? 'failed' : 'sent', attempts: 1, lastError: null, providerMessageId: null, createdAt: new Date(now - i * 2 * 3_600_000), finishedAt: new Date(now - i * 2 * 3_600_000) });
  const complaint = (id: string, days: number) => ({ id: `${id}-${process.pid}`, caller: fresh400(), category: 'loan_finance', at: new Date(now - 14 * 86_400_000).toISOString(), forwarded12321: true, dueAt: new Date(now + days * 86_400_000).toISOString(), complainant: `c-${id}` });
  t.is((await carrier.post('/carrier/v1/complaints', { complaints: [complaint('late', -1), complaint('soon', 1), complaint('later', 10)] })).status, 200);
  await eventually(async () => Number((await h.deps.db.query(`SELECT COUNT(*) AS c FROM notice WHERE state IN ('sent', 'failed', 'uncertain')`))[0].c) >= 2, 20_000);

  const ctx = await b.context();
  try {
    const page = await signIn(ctx, 'adam', { code: await generate({ secret: adamSecret }) });
    await page.waitForURL(/\/ops\/$/);
    await page.locator('body[data-charts="drawn"]').waitFor();
    for (const id of ['chart-interceptions', 'chart-reasons', 'chart-notices', 'chart-otp']) {
      const series = Number(await page.locator(`#${id}`).getAttribute('data-drawn'));
      t.true(series >= 1, `${id} drew ${series} series`);
      // Pixels actually painted on the canvas (not just an element on the page).
      const painted = await page.locator(`#${id}`).evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      t.true(painted > 2000, `${id} painted ${painted} pixels`);
    }
    t.is(Number(await page.locator('#chart-interceptions').getAttribute('data-drawn')), 4, 'one series per category');
    t.true(await page.locator('.tile', { hasText: '拦截总数' }).getByText(/^\d+$/).isVisible());
    t.true(Number(await page.locator('.tile', { hasText: '拦截总数' }).locator('b').textContent()) >= 40);
    await saveScreenshot(page, 'console-dashboard.png', { fullPage: true });
    await page.getByRole('link', { name: '最近7天' }).click();
    await page.locator('body[data-charts="drawn"]').waitFor();
    t.true(page.url().endsWith('?range=week'));

    await page.getByRole('link', { name: '举报与投诉' }).click();
    const complaints = page.locator('table[data-table="complaints"]');
    t.true(await complaints.locator('tr.overdue').getByText('已逾期').isVisible());
    t.true(await complaints.locator('tr.due_soon').getByText('即将到期').isVisible());
    await saveScreenshot(page, 'console-reports.png', { fullPage: true });

    const sub = callees[0];
    await page.getByRole('link', { name: '用户查询' }).click();
    await page.getByLabel('手机号').fill(sub.phone);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-phone]').waitFor();
    t.false((await page.locator('[data-phone]').textContent())!.includes(sub.phone));
    await page.getByLabel('原因').fill('用户来电要求核实');
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByText('已显示完整号码（本次查看已记录）').waitFor();
    t.true((await page.locator('[data-phone]').textContent())!.includes(sub.phone));
    t.false(page.url().includes(sub.phone));
    await page.getByRole('link', { name: '操作记录' }).click();
    t.true(await page.getByText('console_subscriber_revealed').first().isVisible());
  } finally {
    await ctx.close();
  }

  // The console on a phone: nothing wider than the screen but the tables, which scroll in their frame.
  const phone = await b.context({ phone: true });
  try {
    const page = await signIn(phone, 'vera');
    await page.locator('body[data-charts="drawn"]').waitFor();
    t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await saveScreenshot(page, 'console-phone.png');
  } finally {
    await phone.close();
  }
});
