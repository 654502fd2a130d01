// 关怀版 in a real headless Chromium through the application as `npm start` assembles it: every H5 page at
// 375 px wide with the browser's text at 100 % and 200 % (as WeChat's font-size setting makes it) has no
// horizontal overflow and touch targets of at least 44 px; axe-core finds nothing serious or critical on
// any page; the large-text simple view is remembered and does its three things. Screenshots of the simple
// view go to docs/screenshots/ (for the README) and test-artifacts/.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import { FamilyLink, ListEntry, PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { KEYS } from '../menus/tree';
import { artifactPath, launchPhoneBrowser } from './support/browser';
import { CarrierClient } from './support/carrier-client';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { signedInClient } from './support/h5-signin';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = path.resolve(__dirname, '../../docs/screenshots');

let clock = Math.floor(Date.now() / 1000);
const say = async (h: Harness, openid: string, text: string) => (await h.sender.send(h.sender.text(openid, text))).reply!.Content;

async function bindPhone(h: Harness, openid: string, phone: string) {
  h.wechat.state.follow(openid);
  await h.sender.send(h.sender.subscribe(openid));
  await h.sender.send(h.sender.text(openid, phone));
  const code = String(await eventually(() => h.codesFor(phone).at(-1)));
  await h.sender.send(h.sender.text(openid, code));
  await h.sender.send(h.sender.event(openid, 'CLICK', KEYS.enable, {}, ++clock));
}

async function inbound(h: Harness, from: string, text: string) {
  const body = JSON.stringify({ from, to: '10658000', text, id: crypto.randomUUID() });
  const sig = crypto.createHmac('sha256', h.deps.config.sms.inboundSecret).update(body).digest('hex');
  return (await (await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sig }, body })).json()) as { outcome: string };
}

/** What a person would run into on this page: sideways scrolling, targets too small to tap, axe findings. */
async function audit(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const small: string[] = [];
    const targets = document.querySelectorAll<HTMLElement>('a[href], button, select, input:not([type=hidden]), textarea');
    for (const el of targets) {
      // A checkbox, radio or switch is tapped through its label row.
      const target = (el instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(el.type) && el.closest('label')) || el;
      const r = (target as HTMLElement).getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el instanceof HTMLInputElement && el.type !== 'file' && el.closest('.day')) continue; // the day chip's span is the target, checked below
      if (r.height < 43.5 || r.width < 43.5) small.push(`${target.tagName.toLowerCase()}${target.className ? '.' + String(target.className).replace(/\s+/g, '.') : ''} "${(target.textContent ?? '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    for (const chip of document.querySelectorAll<HTMLElement>('.day span')) {
      const r = chip.getBoundingClientRect();
      if (r.height < 43.5 || r.width < 43.5) small.push(`day chip ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return { overflow: doc.scrollWidth - doc.clientWidth, small, rootFont: getComputedStyle(doc).fontSize };
  });
}

async function axe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

test('every page reads at 375 px with 100 % and 200 % text, passes axe, and the simple view does its three things', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const carrier = new CarrierClient(h.server.url, ...([...h.deps.config.carrierKeys.entries()][0] as [string, string]));
  t.teardown(() => carrier.close());

  // A guardian with one agreed member, a pending request, interceptions of their own and of the member.
  const openid = 'oCare_0000000001';
  const phone = '13812340000';
  const mom = '13911112222';
  await bindPhone(h, openid, phone);
  await say(h, openid, `添加家人 ${mom}`);
  const code = /JR(\d{4})/.exec(await eventually(() => h.sms.requests.find((r) => r.body.phone === mom)?.body.text as string))![1];
  t.is((await inbound(h, mom, `JR${code}`)).outcome, 'family_agreed');
  await say(h, openid, '添加家人 13922223333');
  const at = new Date().toISOString();
  await carrier.post('/carrier/v1/interceptions', {
    events: [
      { id: 'c-1', caller: '4001234567', callee: phone, at, action: 'block', reason: 'category_block', category: 'loan_finance' },
      { id: 'c-2', caller: '17012345678', callee: phone, at, action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance', outcome: { action: 'smart_answer', summary: '对方自称快递员，说包裹放在门口的快递柜里了' } },
      { id: 'c-3', caller: '17088889999', callee: mom, at, action: 'block', reason: 'fraud', category: 'fraud' },
    ],
  });
  const subscriber = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid });
  const link = await h.deps.db.getRepository(FamilyLink).findOneByOrFail({ guardianId: subscriber.id, state: 'active' });

  const browser = await launchPhoneBrowser();
  t.teardown(() => browser.close());
  // WeChat's authorize page (open.weixin.qq.com) is outside our walls: the sign-in's hop there goes to the
  // fake WeChat, the rest of the OAuth2 round trip to our server, and the session cookie into the browser.
  const client = await signedInClient(h, openid);
  await browser.context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: h.server.url })));
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 375, height: 740 });

  const cdp = await browser.context.newCDPSession(page);
  const pages = ['/h5/', '/h5/bind', '/h5/consents', '/h5/categories', '/h5/lists/reject', '/h5/lists/allow', '/h5/rules', '/h5/notices', '/h5/records', '/h5/data', '/h5/family', `/h5/family/${link.id}/records`, '/h5/no-such-page'];
  const problems: string[] = [];
  for (const size of [16, 32]) {
    // The browser's own default text size, as WeChat's font-size setting changes it (rem follows it).
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: size, fixed: Math.round(size * 0.8125) } });
    for (const p of pages) {
      const res = await page.goto(`${h.server.url}${p}`);
      if (p === '/h5/no-such-page') {
        t.is(res!.status(), 404);
        await t.notThrowsAsync(page.getByRole('heading', { name: '页面不存在' }).waitFor());
      } else t.is(res!.status(), 200, p);
      const a = await audit(page);
      t.is(a.rootFont, `${size}px`, 'the page honours the browser text size');
      if (a.overflow > 0) problems.push(`${p} at ${size * 6.25}%: ${a.overflow}px horizontal overflow`);
      for (const s of a.small) problems.push(`${p} at ${size * 6.25}%: small target ${s}`);
      if (size === 16) for (const v of await axe(page)) problems.push(`${p}: axe ${v}`);
      if (p === '/h5/family') await page.screenshot({ path: artifactPath(`h5-family-${size * 6.25}.png`), fullPage: true });
    }
  }
  t.deepEqual(problems, []);
  const css = await (await fetch(`${h.server.url}/h5/static/h5.css`)).text();
  t.false(/text-size-adjust/.test(css), 'nothing locks the text size');
  const pixels = [...css.matchAll(/(?<![\w.])(\d*\.?\d+)px/g)].map((m) => Number(m[1]));
  t.true(pixels.length > 0 && pixels.every((px) => px <= 2), `sizes are rem/em, only hairlines in px: ${pixels.filter((px) => px > 2).join(', ')}`);
  const icon = await fetch(`${h.server.url}/favicon.ico`);
  t.is(icon.status, 200);
  t.regex(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);

  // Plain words for 智能接听, 来电验证 and 号段.
  await page.goto(`${h.server.url}/h5/categories`);
  await t.notThrowsAsync(page.getByText('电话先由助手替您接听').waitFor());
  await t.notThrowsAsync(page.getByText('对方要先回答一个简单的问题').waitFor());
  await page.goto(`${h.server.url}/h5/lists/reject`);
  await t.notThrowsAsync(page.getByText('号码开头的几位数字').waitFor());

  // The simple view: chosen once, remembered on the next visit; axe-clean at both sizes.
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 16, fixed: 13 } });
  await page.goto(`${h.server.url}/h5/`);
  await page.getByRole('button', { name: '切换到大字简洁版' }).click();
  await page.getByText('正在为您拦截骚扰电话').waitFor();
  await page.goto(`${h.server.url}/h5/records`);
  t.is(await page.locator('body').getAttribute('class'), 'simple', 'every page is large once chosen');
  await page.goto(`${h.server.url}/h5/`);
  t.is(await page.getByTestId('state').textContent(), '正在为您拦截骚扰电话');
  t.deepEqual(await axe(page), []);
  // 1. What was stopped: the calls, not the allowed ones; the smart-answer summary in full.
  await t.notThrowsAsync(page.getByText('4001234567').waitFor());
  await t.notThrowsAsync(page.getByText(/对方自称快递员，说包裹放在门口的快递柜里了/).waitFor());
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'h5-simple.png'), fullPage: true });
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });
  await page.reload();
  const large = await audit(page);
  t.is(large.overflow, 0);
  t.deepEqual(large.small, []);
  await page.screenshot({ path: path.join(SHOTS, 'h5-simple-200.png'), fullPage: true });
  fs.copyFileSync(path.join(SHOTS, 'h5-simple-200.png'), artifactPath('h5-simple-200.png'));
  // 2. Turn protection off (pause) and on again.
  await page.getByRole('button', { name: '暂停拦截' }).click();
  await page.getByText('拦截已暂停').waitFor();
  t.true((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: subscriber.id })).paused);
  await page.getByRole('button', { name: '恢复拦截' }).click();
  await page.getByText('正在为您拦截骚扰电话').waitFor();
  // 3. Always let one number through.
  await page.getByLabel('要接通的号码（如家人、快递）').fill('13700001111');
  await page.getByRole('button', { name: '总是接通这个号码' }).click();
  await eventually(async () => (await h.deps.db.getRepository(ListEntry).countBy({ subscriberId: subscriber.id, list: 'allow' })) === 1);
  // Back to the full view.
  await page.getByRole('button', { name: '切换到完整版' }).click();
  await page.getByRole('heading', { name: '我的防护' }).waitFor();
  t.is(await h.deps.db.getRepository(PhoneBinding).countBy({ subscriberId: subscriber.id }), 1);
});
