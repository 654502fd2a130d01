// The subscriber's rough edges found when the service was tried as a person would (issue item 4), each
// through the application as `npm start` assembles it: the chat callback, /sms/inbound, the H5 endpoints,
// the notice workers and the operator CLI.
import crypto from 'node:crypto';
import test from 'ava';
import { ListEntry, PhoneBinding, Report } from '../entities';
import { KEYS } from '../menus/tree';
import { buildProgram } from '../app/ops/cli';
import { CarrierClient } from './support/carrier-client';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { signedInClient } from './support/h5-signin';

let h: Harness;
let carrier: CarrierClient;
test.before(async () => {
  h = await startHarness();
  carrier = new CarrierClient(h.server.url, ...([...h.deps.config.carrierKeys.entries()][0] as [string, string]));
});
test.after.always(async () => {
  carrier?.close();
  await h?.close();
});

let clock = Math.floor(Date.now() / 1000);
let seq = 0;
const fresh = () => `1391${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(4, '0')}`;
const say = async (openid: string, text: string) => (await h.sender.send(h.sender.text(openid, text))).reply!.Content;
const smsTo = (phone: string) => h.sms.requests.filter((r) => r.body.phone === phone && r.body.purpose === 'notice').map((r) => r.body.text as string);

async function inbound(from: string, text: string) {
  const body = JSON.stringify({ from, to: '10658000', text, id: crypto.randomUUID() });
  const sig = crypto.createHmac('sha256', h.deps.config.sms.inboundSecret).update(body).digest('hex');
  return (await (await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sig }, body })).json()) as { outcome: string };
}

async function subscriber(enable = true) {
  const openid = `oEdge_${process.pid}_${++seq}`;
  const phone = fresh();
  h.wechat.state.follow(openid);
  await h.sender.send(h.sender.subscribe(openid));
  await say(openid, phone);
  const code = String(await eventually(() => h.codesFor(phone).at(-1)));
  await say(openid, code);
  if (enable) await h.sender.send(h.sender.event(openid, 'CLICK', KEYS.enable, {}, ++clock));
  const sub = await h.server.services.subscribers.findByOpenid(openid);
  return { openid, phone, id: sub!.id };
}

test('after an OTP lock the next 6-digit message says the code is locked and what to do', async (t) => {
  const openid = `oEdge_lock_${process.pid}`;
  const phone = fresh();
  await say(openid, `绑定 ${phone}`);
  const code = String(await eventually(() => h.codesFor(phone).at(-1)));
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) await say(openid, wrong);
  const after = await say(openid, code);
  t.regex(after, /验证码错误次数过多，已锁定失效/);
  t.regex(after, /回复“绑定 手机号”重新获取/);
  t.notRegex(after, /没太明白/);
});

test('the cooldown reply says what is true: a code is waiting for you, or this phone was just sent one', async (t) => {
  const phone = fresh();
  await say('oEdge_cool_a', `绑定 ${phone}`);
  const again = await say('oEdge_cool_a', `绑定 ${phone}`);
  const seconds = Number(/(\d+)秒后可重新获取/.exec(again)?.[1]);
  t.regex(again, /验证码刚刚已发送，请直接回复收到的6位验证码/);
  t.true(seconds >= 55 && seconds <= 60, `${seconds} seconds`);
  const other = await say('oEdge_cool_b', `绑定 ${phone}`);
  t.regex(other, /刚刚获取过验证码，请\d+秒后再回复“绑定 手机号”重新获取/);
  t.notRegex(other, /请直接回复/, 'no code waits for the second account');
});

test('KTFSR when already enabled says so; re-enabling with custom settings does not claim the defaults', async (t) => {
  const phone = fresh();
  t.is((await inbound(phone, 'KTFSR')).outcome, 'confirm_enable_asked');
  t.is((await inbound(phone, 'Y')).outcome, 'enabled');
  t.regex(smsTo(phone).at(-1)!, /默认拦截全部营销类来电/);
  const already = await inbound(phone, 'KTFSR');
  t.is(already.outcome, 'already_enabled');
  t.regex(smsTo(phone).at(-1)!, /已处于保护中，无需重复开通/);
  t.notRegex(smsTo(phone).at(-1)!, /回复Y/);

  const { subscriberId } = await h.deps.db.getRepository(PhoneBinding).findOneByOrFail({ phoneHash: h.deps.vault.lookupHash(phone) });
  await h.server.services.preferences.setCategoryModes(subscriberId, { insurance: 'allow' }, { actor: 'subscriber', channel: 'sms' });
  await inbound(phone, 'QXFSR');
  t.is((await inbound(phone, 'Y')).outcome, 'disabled');
  await inbound(phone, 'KTFSR');
  t.is((await inbound(phone, 'Y')).outcome, 'enabled');
  t.regex(smsTo(phone).at(-1)!, /已重新开通骚扰电话拦截，沿用您之前的拦截设置/);
  t.notRegex(smsTo(phone).at(-1)!, /默认拦截/);
});

test('帮助 lists every command; 类别 贷款理财 without a mode explains the modes', async (t) => {
  const help = await say('oEdge_help_0001', '帮助');
  for (const c of ['绑定', '开启防护', '暂停', '恢复', '拒接', '允许', '名单', '类别', '我的设置', '拦截记录', '申诉', '举报', '标记', '添加家人', '家人', '退出守护']) t.true(help.includes(c), c);
  const s = await subscriber();
  const modes = await say(s.openid, '类别 贷款理财');
  t.regex(modes, /“贷款理财”来电怎么处理：允许（照常接通）、拦截（直接挡掉）、智能接听（助手代接，把对方来意发给您）、来电验证（对方通过验证才会响铃）/);
  t.regex(modes, /例如：类别 贷款理财 拦截/);
  t.regex(await say(s.openid, '类别 外卖'), /未识别的类别/);
});

test('申诉 for a number never intercepted says so and changes nothing', async (t) => {
  const s = await subscriber();
  const reply = await say(s.openid, '申诉 13512345678');
  t.regex(reply, /没有找到13512345678被拦截的记录，无需申诉/);
  t.regex(reply, /允许 13512345678/);
  t.is(await h.deps.db.getRepository(ListEntry).countBy({ subscriberId: s.id }), 0);
});

test('the H5 records page offers 申诉 and 标记; the overview says what its counts count; a time-window error names the field', async (t) => {
  const s = await subscriber();
  await carrier.post('/carrier/v1/interceptions', { events: [{ id: `h5r-${s.id}`, caller: '4009998888', callee: s.phone, at: new Date().toISOString(), action: 'block', reason: 'category_block', category: 'loan_finance' }] });
  const client = await signedInClient(h, s.openid);
  const page = await (await client.request('/h5/records')).text();
  const id = /\/h5\/api\/interceptions\/(\d+)\/appeal/.exec(page)?.[1];
  t.truthy(id, 'each stopped call has a 申诉 button');
  t.regex(page, /误拦截申诉 4009998888，以后总是接通/);
  t.regex(page, new RegExp(`/h5/api/interceptions/${id}/mark`));
  t.regex(page, /把 4009998888 标记为/);
  const appeal = await client.json(`/h5/api/interceptions/${id}/appeal`, { method: 'POST', body: {} });
  t.is(appeal.status, 200);
  t.deepEqual((await h.server.services.lists.entries(s.id, 'allow')).map((e) => e.value), ['4009998888']);
  const mark = await client.json(`/h5/api/interceptions/${id}/mark`, { method: 'POST', body: { category: 'insurance' } });
  t.is(mark.status, 200);
  t.is(await h.deps.db.getRepository(Report).countBy({ subscriberId: s.id, category: 'insurance' }), 1);
  t.is((await client.json('/h5/api/interceptions/999999999/appeal', { method: 'POST', body: {} })).status, 404, "another's or no interception");
  t.is((await client.json(`/h5/api/interceptions/${id}/mark`, { method: 'POST', body: { category: 'x'.repeat(40) } })).status, 400);

  const overview = await (await client.request('/h5/')).text();
  t.regex(overview, /类营销来电直接拦截/);
  t.regex(overview, /个号码在拒接名单/);
  t.regex(overview, /个号码在允许名单/);

  const bad = await client.json<{ message: string }>('/h5/api/time-windows', { method: 'PUT', body: { mode: 'windows', windows: [{ days: [], start: '25:00', end: '07:00' }] } });
  t.is(bad.status, 400);
  t.is(bad.body.message, '开始时间填写有误，请检查后重试。');
  const quiet = await client.json<{ message: string }>('/h5/api/notices', { method: 'PUT', body: { mode: 'per_call', digestMinutes: 60, wechat: true, sms: false, quietHours: { start: '22:00', end: '99:00' } } });
  t.is(quiet.body.message, '免打扰结束时间填写有误，请检查后重试。');
});

test('a digest counts only what was stopped and keeps smart-answer summaries and verification results; history shows a summary whole', async (t) => {
  const s = await subscriber();
  await h.server.services.preferences.setNotices(s.id, { mode: 'digest', digestMinutes: 5, wechat: false, sms: true, quietHours: null }, { actor: 'subscriber', channel: 'h5' });
  const summary = '对方自称是小区物业，提醒您明天上午停水，请提前储水';
  const at = new Date().toISOString();
  const ev = (n: number, extra: Record<string, unknown>) => ({ id: `dg-${s.id}-${n}`, callee: s.phone, at, ...extra });
  await carrier.post('/carrier/v1/interceptions', {
    events: [
      ev(1, { caller: '4001110001', action: 'block', reason: 'category_block', category: 'loan_finance' }),
      ev(2, { caller: '17011110002', action: 'smart_answer', reason: 'category_smart_answer', category: 'other_marketing', outcome: { action: 'smart_answer', summary } }),
      ev(3, { caller: '02111110003', action: 'verify', reason: 'category_verify', category: 'insurance', outcome: { action: 'verify', verification: 'passed' } }),
      ev(4, { caller: '02111110004', action: 'verify', reason: 'category_verify', category: 'insurance', outcome: { action: 'verify', verification: 'failed' } }),
    ],
  });
  // The digest window (five minutes) is over: the worker sends it.
  await h.deps.db.query(`UPDATE notice SET dueAt = ?, nextAt = ? WHERE subscriberId = ? AND kind = 'digest'`, [new Date(), new Date(), s.id]);
  const text = await eventually(() => smsTo(s.phone).find((m) => /为您拦截/.test(m)));
  t.regex(text, /过去5分钟为您拦截3个骚扰电话，另有1个来电通过验证已接通/);
  t.true(text.includes(summary), 'the smart-answer summary, whole');
  t.regex(text, /来电验证未通过，已挂断/);
  t.regex(text, /来电验证已通过，已接通/);

  const history = await say(s.openid, '拦截记录');
  t.true(history.includes(`智能接听：${summary}`), 'whole in the history');
});

test('a smart-answer summary is cut only where the 20-character template keyword forces it', async (t) => {
  const s = await subscriber();
  await carrier.post('/carrier/v1/interceptions', {
    events: [{ id: `sa-${s.id}`, caller: '17022220001', callee: s.phone, at: new Date().toISOString(), action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance', outcome: { action: 'smart_answer', summary: '快递' } }],
  });
  const tpl = await eventually(() => h.wechat.state.templateMessages().find((m) => m.touser === s.openid && m.data.thing2?.value.startsWith('智能接听')));
  t.is(tpl.data.thing2.value, '智能接听：快递', 'a short summary is whole');
  const long = `sb-${s.id}`;
  await h.deps.db.query(`UPDATE notice_cursor SET lastDueAt = NULL, openNoticeId = NULL WHERE subscriberId = ?`, [s.id]);
  await carrier.post('/carrier/v1/interceptions', {
    events: [{ id: long, caller: '17022220002', callee: s.phone, at: new Date().toISOString(), action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance', outcome: { action: 'smart_answer', summary: '对方自称保险公司客服，想介绍一款新的医疗险产品' } }],
  });
  const cut = await eventually(() => h.wechat.state.templateMessages().find((m) => m.touser === s.openid && m.data.thing2?.value.endsWith('…')));
  t.is([...cut.data.thing2.value].length, 20);
});

test('ops CLI help marks the required options', (t) => {
  const program = buildProgram();
  const resolve = program.commands.find((c) => c.name() === 'appeals')!.commands.find((c) => c.name() === 'resolve')!;
  const help = resolve.helpInformation();
  t.regex(help, /--note <text>\s+\(required\)/);
  t.regex(help, /--uphold\s+\(one of --uphold \/ --reject required\)/);
  const label = program.commands.find((c) => c.name() === 'label')!.commands.find((c) => c.name() === 'set')!;
  t.regex(label.helpInformation(), /--reason <text>\s+\(required\)/);
});
