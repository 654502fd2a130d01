// A subscriber's walk through the H5 pages in a real headless Chromium: signing in through the WeChat
// OAuth2 redirect (the simulated WeChat API's authorize page), changing a category, adding and removing
// a reject-list entry, exporting their data and deleting it. Screenshots go to test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ListEntry, PhoneBinding, Subscriber } from '../entities';
import { artifactPath, launchPhoneBrowser } from './support/browser';
import { h5Harness, type H5Harness } from './support/h5-harness';

const README_SHOT = path.resolve(__dirname, '../../docs/screenshots/h5-overview.png');

let h: H5Harness;
let browser: Awaited<ReturnType<typeof launchPhoneBrowser>>;

test.before(async () => {
  h = await h5Harness({ db: 'mariadb', store: 'redis' });
  browser = await launchPhoneBrowser();
});
test.after.always(async () => {
  await browser?.close();
  await h?.close();
});

test('a subscriber signs in through WeChat, changes a category, edits the reject list, exports and deletes their data', async (t) => {
  const openid = `o_browser_${process.pid}`;
  const phone = '13812345678';
  const sub = await h.subscriber({ openid, phone, enable: true });
  await h.lists.add(sub.id, 'allow', { number: '13900001111', note: '快递' }, { actor: 'subscriber', channel: 'wechat' });
  h.wechat.state.follow(openid);
  const page = await browser.context.newPage();

  // 1. No session: our page sends the browser to WeChat's authorize page, which (simulated) lets us pick
  //    the WeChat user; WeChat redirects back with code and state; we land on the page first asked for.
  await page.goto(`${h.base}/h5/`);
  t.true(page.url().startsWith(`${h.wechatBase}/connect/oauth2/authorize`), page.url());
  t.true(page.url().includes('scope=snsapi_base'));
  await page.getByRole('link', { name: openid }).click();
  await page.waitForURL(`${h.base}/h5/`);
  await t.notThrowsAsync(page.getByRole('heading', { name: '我的防护' }).waitFor());
  t.is(await page.getByTestId('phone').textContent(), '138****5678');
  t.is(await page.getByTestId('state').textContent(), '保护中');
  t.false((await page.content()).includes(phone), 'the phone is never shown in full');
  await page.screenshot({ path: artifactPath('h5-overview.png'), fullPage: true });
  if (!fs.existsSync(README_SHOT) || process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.dirname(README_SHOT), { recursive: true });
    fs.copyFileSync(artifactPath('h5-overview.png'), README_SHOT);
  }

  // 2. Categories: 贷款理财 from 拦截 to 允许; the select saves itself.
  await page.getByRole('link', { name: /拦截类别/ }).click();
  await page.waitForURL(`${h.base}/h5/categories`);
  const saved = page.waitForResponse((r) => r.url().endsWith('/h5/api/categories') && r.request().method() === 'PUT');
  await page.getByLabel('贷款理财的处理方式').selectOption('allow');
  t.is((await saved).status(), 200);
  await t.notThrowsAsync(page.getByRole('status').filter({ hasText: '已保存' }).waitFor());
  t.is((await h.preferences.view(sub.id)).categoryModes.loan_finance, 'allow');
  await page.screenshot({ path: artifactPath('h5-categories.png'), fullPage: true });

  // 3. Reject list: add a number with a note, add the 400 segment with one tap, remove the number.
  await page.goto(`${h.base}/h5/lists/reject`);
  await page.getByLabel('号码、号段或分组').fill('400-123-4567');
  await page.getByLabel('备注（可选）').fill('贷款推销');
  await page.getByRole('button', { name: '加入拒接名单' }).click();
  await t.notThrowsAsync(page.getByRole('button', { name: '删除 4001234567' }).waitFor());
  await page.getByRole('button', { name: '添加 400号段' }).click();
  await t.notThrowsAsync(page.getByRole('button', { name: '删除 400号段' }).waitFor());
  t.deepEqual(
    (await h.lists.entries(sub.id, 'reject')).map((e) => [e.kind, e.value, e.note]),
    [
      ['exact', '4001234567', '贷款推销'],
      ['prefix', '400', null],
    ],
  );
  await page.screenshot({ path: artifactPath('h5-reject-list.png'), fullPage: true });
  const removed = page.waitForResponse((r) => r.request().method() === 'DELETE');
  await page.getByRole('button', { name: '删除 4001234567' }).click();
  t.is((await removed).status(), 200);
  await t.notThrowsAsync(page.getByRole('button', { name: '删除 4001234567' }).waitFor({ state: 'detached' }));
  t.deepEqual((await h.lists.entries(sub.id, 'reject')).map((e) => e.value), ['400']);

  // Time windows, behaviour and notices: forms built into JSON by the page script.
  await page.goto(`${h.base}/h5/rules`);
  await page.getByLabel('仅在以下时段拦截').check();
  await page.getByLabel('开始时间').fill('21:30');
  await page.getByLabel('结束时间').fill('08:00');
  await page.getByRole('checkbox', { name: '周六' }).check();
  await page.getByRole('checkbox', { name: '周日' }).check();
  const windowsSaved = page.waitForResponse((r) => r.url().endsWith('/h5/api/time-windows'));
  await page.getByRole('button', { name: '保存' }).click();
  t.is((await windowsSaved).status(), 200);
  const oneRingSaved = page.waitForResponse((r) => r.url().endsWith('/h5/api/behaviour'));
  await page.getByLabel(/响一声来电/).uncheck();
  t.is((await oneRingSaved).status(), 200);
  await page.screenshot({ path: artifactPath('h5-rules.png'), fullPage: true });
  await page.goto(`${h.base}/h5/notices`);
  await page.getByLabel('汇总通知', { exact: true }).check();
  await page.getByLabel('短信通知').check();
  await page.getByLabel('开启免打扰').check();
  const noticesSaved = page.waitForResponse((r) => r.url().endsWith('/h5/api/notices'));
  await page.getByRole('button', { name: '保存' }).click();
  t.is((await noticesSaved).status(), 200);
  const prefs = await h.preferences.view(sub.id);
  t.deepEqual(prefs.options.timeWindows, { mode: 'windows', windows: [{ days: [0, 6], start: '21:30', end: '08:00' }] });
  t.false(prefs.behaviour.oneRing);
  t.like(prefs.notices, { mode: 'digest', sms: true, wechat: true, quietHours: { start: '22:00', end: '08:00' } });

  // 4. My data: the JSON download holds everything, the own phone in full.
  await page.goto(`${h.base}/h5/data`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: '导出全部数据（JSON）' }).click();
  const file = await (await download).path();
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  t.is(data.phone.number, phone);
  t.is(data.protection.categoryModes.loan_finance, 'allow');
  t.deepEqual(data.lists.allow.map((e: { value: string }) => e.value), ['13900001111']);
  t.true(data.audit.some((a: { action: string; channel: string }) => a.action === 'list_removed' && a.channel === 'h5'));

  // 5. Delete everything: the button stays disabled until the confirmation is ticked.
  const del = page.getByRole('button', { name: '删除全部数据' });
  t.true(await del.isDisabled());
  await page.getByLabel('我确认删除全部数据，此操作无法恢复').check();
  await del.click();
  await t.notThrowsAsync(page.getByText('您的全部数据已删除').waitFor());
  await page.screenshot({ path: artifactPath('h5-deleted.png'), fullPage: true });
  t.is(await h.db.getRepository(Subscriber).countBy({ id: sub.id }), 0);
  t.is(await h.db.getRepository(PhoneBinding).countBy({ phoneHash: h.vault.lookupHash(phone) }), 0);
  t.is(await h.db.getRepository(ListEntry).countBy({ subscriberId: sub.id }), 0);

  // The session ended with the data: the pages ask WeChat to sign in again.
  await page.goto(`${h.base}/h5/`);
  t.true(page.url().startsWith(`${h.wechatBase}/connect/oauth2/authorize`));
  await page.close();
});
