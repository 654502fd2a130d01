// The subscriber's core journey through HTTP in safe mode: follow, 业务设置 → 拦截设置, bind by SMS
// code, enable; and the hostile cases around it. On MariaDB + Redis and on SQLite + the in-process store.
import crypto from 'node:crypto';
import test from 'ava';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { KEYS } from '../menus/tree';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { WechatSender } from './support/wechat-sender';
import { FAKE_APP } from './support/fake-wechat-api';
import { CarrierClient } from './support/carrier-client';

const backends = [
  { name: 'mariadb+redis', db: 'mariadb', store: 'redis' },
  { name: 'sqlite+memory', db: 'sqlite', store: 'memory' },
] as const;

// WeChat de-duplicates events by sender + CreateTime: two taps in one second are one tap. Tests that tap
// twice advance the clock like a person would.
let clock = Math.floor(Date.now() / 1000);
const tap = (h: Harness, openid: string, key: string) => h.sender.event(openid, 'CLICK', key, {}, ++clock);

async function bindPhone(h: Harness, openid: string, phone: string) {
  const before = h.codesFor(phone).length;
  const asked = await h.sender.send(h.sender.text(openid, phone));
  const code = String(await eventually(() => h.codesFor(phone).length > before && h.codesFor(phone).at(-1)));
  const done = await h.sender.send(h.sender.text(openid, code));
  return { asked, done, code };
}

for (const b of backends) {
  test(`${b.name}: follow, 拦截设置, bind by code, enable`, async (t) => {
    const h = await startHarness({ db: b.db, store: b.store });
    t.teardown(() => h.close());
    const openid = 'oUser_journey_0001';
    h.wechat.state.follow(openid);

    const welcome = await h.sender.send(h.sender.subscribe(openid));
    t.is(welcome.status, 200);
    t.true(welcome.encrypted, 'answered in safe mode');
    t.is(welcome.reply?.MsgType, 'text');
    t.is(welcome.reply?.ToUserName, openid);
    t.regex(welcome.reply!.Content, /欢迎关注防骚扰服务/);

    const settings = await h.sender.send(tap(h, openid, KEYS.settings));
    t.regex(settings.reply!.Content, /尚未绑定手机号/);

    const { asked, done } = await bindPhone(h, openid, '13800138000');
    t.regex(asked.reply!.Content, /验证码已发送至138\*\*\*\*8000/);
    t.regex(done.reply!.Content, /手机号138\*\*\*\*8000绑定成功/);

    const subscriber = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid });
    t.true(subscriber.subscribed);
    const binding = await h.deps.db.getRepository(PhoneBinding).findOneByOrFail({ subscriberId: subscriber.id });
    t.false(binding.phoneCipher.includes('13800138000'), 'the phone is encrypted at rest');
    t.is(binding.phoneHash, h.deps.vault.lookupHash('13800138000'));

    const enabled = await h.sender.send(tap(h, openid, KEYS.enable));
    t.regex(enabled.reply!.Content, /已为138\*\*\*\*8000开启防骚扰保护/);
    const settingsRow = await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: subscriber.id });
    t.true(settingsRow.enabled);
    t.is(settingsRow.categoryModes.loan_finance, 'block');
    t.true(settingsRow.behaviour.highFrequency);

    // The "service enabled" template message and SMS notice arrive through the outbox and the worker.
    const template = await eventually(() => h.wechat.state.templateMessages().find((m) => m.touser === openid));
    t.is(template.templateId, FAKE_APP.templateEnabled);
    t.false(JSON.stringify(template.data).includes('13800138000'), 'the phone is masked in the template');
    const notice = await eventually(() => h.sms.requests.find((r) => r.body.purpose === 'notice' && r.body.phone === '13800138000'));
    t.regex(notice.body.text, /【防骚扰服务提醒】/);

    const status = await h.sender.send(tap(h, openid, KEYS.settings));
    t.regex(status.reply!.Content, /状态：保护中/);

    const again = await h.sender.send(tap(h, openid, KEYS.enable));
    t.regex(again.reply!.Content, /已处于开启状态/);
  });

  test(`${b.name}: 绑定 13800138000 in one message; wrong and brute-forced codes lock`, async (t) => {
    const h = await startHarness({ db: b.db, store: b.store });
    t.teardown(() => h.close());
    const openid = 'oUser_brute_00001';
    const asked = await h.sender.send(h.sender.text(openid, '绑定 13900139000'));
    t.regex(asked.reply!.Content, /验证码已发送/);
    const code = (await eventually(() => h.codesFor('13900139000').at(-1)))!;
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await h.sender.send(h.sender.text(openid, wrong));
    t.regex(first.reply!.Content, /验证码不正确，还可尝试4次/);
    for (let i = 0; i < 3; i++) await h.sender.send(h.sender.text(openid, wrong));
    const locked = await h.sender.send(h.sender.text(openid, wrong));
    t.regex(locked.reply!.Content, /错误次数过多/);
    const late = await h.sender.send(h.sender.text(openid, code));
    t.notRegex(late.reply!.Content, /绑定成功/);
    t.is(await h.deps.db.getRepository(PhoneBinding).count(), 0);
  });

  test(`${b.name}: bad phone numbers and SMS bombing get clear answers`, async (t) => {
    const h = await startHarness({ db: b.db, store: b.store });
    t.teardown(() => h.close());
    const openid = 'oUser_badphone_01';
    const bad = await h.sender.send(h.sender.text(openid, '绑定 12345678901'));
    t.regex(bad.reply!.Content, /不是有效的中国大陆手机号码/);
    await h.sender.send(h.sender.text(openid, '绑定 13700137000'));
    const again = await h.sender.send(h.sender.text(openid, '绑定 13700137000'));
    t.regex(again.reply!.Content, /验证码刚刚已发送，请直接回复收到的6位验证码；如未收到，\d+秒后可重新获取/);
    await eventually(() => h.codesFor('13700137000').length === 1);
    t.is(h.codesFor('13700137000').length, 1, 'one SMS, not two');
  });
}

test('a code for a phone another subscriber holds cannot be used by someone else; the holder of the phone moves it', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  await bindPhone(h, 'oOwner_000000001', '13600136000');
  // A minute later, Mallory asks for a code for the owner's phone: it goes to the phone, not to Mallory.
  await h.deps.store.del(`otp:cool:${h.deps.vault.lookupHash('13600136000')}`);
  const asked = await h.sender.send(h.sender.text('oMallory_0000001', '绑定 13600136000'));
  t.regex(asked.reply!.Content, /验证码已发送至136\*\*\*\*6000/);
  const guess = await h.sender.send(h.sender.text('oMallory_0000001', '123456'));
  t.regex(guess.reply!.Content, /验证码不正确|错误次数过多/);
  // The owner's code (sent earlier, for the owner) is no use to Mallory either.
  const ownersCode = h.codesFor('13600136000')[0];
  const stolen = await h.sender.send(h.sender.text('oMallory_0000001', ownersCode));
  t.notRegex(stolen.reply!.Content, /绑定成功/);
  const owner = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oOwner_000000001' });
  const binding = await h.deps.db.getRepository(PhoneBinding).findOneByOrFail({ phoneHash: h.deps.vault.lookupHash('13600136000') });
  t.is(binding.subscriberId, owner.id, 'the phone stays with its owner');

  // Whoever really holds the phone (reads its SMS) can move it to a new WeChat account, with a fresh code.
  await h.deps.store.del(`otp:cool:${h.deps.vault.lookupHash('13600136000')}`);
  const moved = await bindPhone(h, 'oNewPhoneOwner01', '13600136000');
  t.regex(moved.done.reply!.Content, /已从原微信账号解绑/);
  const newcomer = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oNewPhoneOwner01' });
  const after = await h.deps.db.getRepository(PhoneBinding).findBy({ phoneHash: h.deps.vault.lookupHash('13600136000') });
  t.deepEqual(after.map((x) => x.subscriberId), [newcomer.id], 'one phone, one subscriber');
});

test('wrong signature: 401 and nothing changes; replayed MsgId: one effect, same answer', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const openid = 'oUser_replay_0001';
  const forged = await h.sender.send(h.sender.text(openid, '绑定 13500135000'), { query: { msg_signature: 'f'.repeat(40) } });
  t.is(forged.status, 401);
  t.is(await h.deps.db.getRepository(Subscriber).count(), 0);
  t.is(h.sms.requests.length, 0);

  const msg = h.sender.text(openid, '绑定 13500135000', String(WechatSender.nextMsgId()));
  const [a, b2, c] = await Promise.all([h.sender.send(msg), h.sender.send(msg), h.sender.send(msg)]);
  const answers = [a, b2, c].map((r) => r.reply?.Content ?? r.raw);
  t.true(answers.every((x) => x === answers[0]), 'every retry gets the same answer');
  t.regex(answers[0], /验证码已发送/);
  await eventually(() => h.codesFor('13500135000').length >= 1);
  await new Promise((r) => setTimeout(r, 300));
  t.is(h.codesFor('13500135000').length, 1, 'one code sent for three deliveries');
});

test('malformed, oversized and entity-expanding XML are refused and the process keeps serving', async (t) => {
  const h = await startHarness({ mode: 'plain', env: { WECHAT_MESSAGE_MODE: 'plain' } });
  t.teardown(() => h.close());
  const fields = h.sender.text('oUser_xml_000001', '帮助');
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><ToUserName>x</ToUserName><FromUserName>&lol2;</FromUserName></xml>`;
  for (const rawBody of ['<xml><ToUserName>', lol, '<xml>' + 'a'.repeat(200_000) + '</xml>', 'not xml at all']) {
    const r = await h.sender.send(fields, { rawBody });
    t.true(r.status === 400 || r.status === 413, `refused with ${r.status}`);
  }
  t.is(await h.deps.db.getRepository(Subscriber).count(), 0);
  const ok = await h.sender.send(fields);
  t.regex(ok.reply!.Content, /可用指令/);
});

test('a phone enrolled by SMS keyword and later bound in WeChat is one subscriber with one set of preferences', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const inbound = async (text: string, id: string) => {
    const body = JSON.stringify({ from: '13300133000', to: '10086', text, id });
    const sig = crypto.createHmac('sha256', h.deps.config.sms.inboundSecret).update(body).digest('hex');
    const res = await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sig }, body });
    return res.status;
  };
  t.is(await inbound('ＫＴＦＳＲ', 'gw-1'), 200);
  await eventually(() => h.sms.requests.some((r) => r.body.phone === '13300133000' && /回复Y/.test(r.body.text)));
  t.is(await inbound('y', 'gw-2'), 200);
  const smsOnly = await eventually(async () => (await h.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: h.deps.vault.lookupHash('13300133000') }))?.subscriberId);
  t.true((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: smsOnly })).enabled);

  await bindPhone(h, 'oSmsThenWechat01', '13300133000');
  const wechatSub = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oSmsThenWechat01' });
  const bindings = await h.deps.db.getRepository(PhoneBinding).findBy({ phoneHash: h.deps.vault.lookupHash('13300133000') });
  t.deepEqual(bindings.map((b) => b.subscriberId), [wechatSub.id]);
  t.is(await h.deps.db.getRepository(Subscriber).countBy({ id: smsOnly }), 0, 'the SMS-only subscriber was folded in');
  t.true((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: wechatSub.id })).enabled, 'protection carried over');
  const status = await h.sender.send(tap(h, 'oSmsThenWechat01', KEYS.settings));
  t.regex(status.reply!.Content, /状态：保护中/);
});

test('a number whose SMS enrolment has been silent for months is bound as a new holder: nothing of the stranger is inherited', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const phone = '13300133001';
  const inbound = async (text: string, id: string) => {
    const body = JSON.stringify({ from: phone, to: '10086', text, id });
    const sig = crypto.createHmac('sha256', h.deps.config.sms.inboundSecret).update(body).digest('hex');
    return (await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sig }, body })).status;
  };
  t.is(await inbound('KTFSR', 'old-1'), 200);
  await eventually(() => h.sms.requests.some((r) => r.body.phone === phone && /回复Y/.test(r.body.text)));
  t.is(await inbound('Y', 'old-2'), 200);
  const stranger = await eventually(async () => (await h.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: h.deps.vault.lookupHash(phone) }))?.subscriberId);
  // The old holder let insurance calls through, then fell silent; the carrier reissued the number.
  await h.server.services.preferences.setCategoryModes(stranger, { insurance: 'allow' }, { actor: 'subscriber', channel: 'sms' });
  const longAgo = new Date(Date.now() - 200 * 86_400_000);
  await h.deps.db.query(`UPDATE audit_event SET at = ? WHERE subscriberId = ?`, [longAgo, stranger]);
  await h.deps.db.query(`UPDATE inbound_sms SET createdAt = ?`, [longAgo]);
  await h.deps.db.query(`UPDATE protection_settings SET updatedAt = ? WHERE subscriberId = ?`, [longAgo, stranger]);

  await bindPhone(h, 'oReissued0000001', phone);
  const newHolder = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oReissued0000001' });
  t.deepEqual((await h.deps.db.getRepository(PhoneBinding).findBy({ phoneHash: h.deps.vault.lookupHash(phone) })).map((b) => b.subscriberId), [newHolder.id]);
  t.is(await h.deps.db.getRepository(Subscriber).countBy({ id: stranger }), 1, 'the old record is not folded into the new holder');
  const old = await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: stranger });
  t.false(old.enabled, 'the old record is left consistent: no phone, no protection');
  await h.sender.send(tap(h, 'oReissued0000001', KEYS.enable));
  const mine = await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: newHolder.id });
  t.is(mine.categoryModes.insurance, 'block', 'the new holder starts from the protective default');
});

test('the network applies the preferences of a phone at once, and stops the moment the phone moves or is unbound', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const [keyId, secret] = [...h.deps.config.carrierKeys.entries()][0];
  const carrier = new CarrierClient(h.server.url, keyId, secret);
  t.teardown(() => carrier.agent.destroy());
  const screen = async () => (await carrier.post('/carrier/v1/screen', { caller: '4001234567', callee: '13200132000', callerIndustry: 'loan_finance' })).json;
  t.like(await screen(), { action: 'allow', reason: 'not_enrolled' });

  const openid = 'oUser_screen_0001';
  await bindPhone(h, openid, '13200132000');
  await h.sender.send(tap(h, openid, KEYS.enable));
  t.like(await screen(), { action: 'block', reason: 'category_block', category: 'loan_finance' });

  // The phone moves to another WeChat account (its holder proved it with a fresh code): the old
  // account's preferences stop applying at once; the new holder has not enabled protection yet.
  await h.deps.store.del(`otp:cool:${h.deps.vault.lookupHash('13200132000')}`);
  await bindPhone(h, 'oUser_screen_0002', '13200132000');
  t.like(await screen(), { action: 'allow', reason: 'not_enrolled' });
  await h.sender.send(tap(h, 'oUser_screen_0002', KEYS.enable));
  t.like(await screen(), { action: 'block', reason: 'category_block' });

  const sub = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oUser_screen_0002' });
  await h.server.services.dataRights.unbind(sub.id, { actor: 'subscriber', channel: 'h5' });
  t.like(await screen(), { action: 'allow', reason: 'not_enrolled' });
});
