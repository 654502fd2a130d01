// OTP caps and phone takeover through the whole server (MariaDB, Redis, the chat): a subscriber over its
// own cap cannot lock anyone's phone out, a code that never left is not counted, and a phone that moves to
// another WeChat account tells its previous holder and leaves both records consistent.
import test from 'ava';
import { OTP_DAILY } from '../app/binding/otp';
import { AuditEvent, ListEntry, ProtectionSettings, Subscriber } from '../entities';
import { CHAT } from '../copy/chat';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';

async function say(h: Harness, openid: string, content: string): Promise<string> {
  const r = await h.sender.send(h.sender.text(openid, content));
  return r.reply?.Content ?? r.raw;
}

async function subscriberId(h: Harness, openid: string): Promise<number> {
  return (await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid })).id;
}

async function bind(h: Harness, openid: string, phone: string): Promise<string> {
  const before = h.codesFor(phone).length;
  await say(h, openid, `绑定 ${phone}`);
  const codes = await eventually(() => (h.codesFor(phone).length > before ? h.codesFor(phone) : null));
  return say(h, openid, codes[codes.length - 1]);
}

test("a subscriber over its own daily cap is refused without touching the phone: another subscriber's code still goes out", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const greedy = 'o_otp_greedy_0001';
  for (let i = 0; i < OTP_DAILY.subscriber; i++) t.regex(await say(h, greedy, `绑定 1390000${String(i).padStart(4, '0')}`), /验证码已发送/);
  const victimPhone = '13911112222';
  t.is(await say(h, greedy, `绑定 ${victimPhone}`), CHAT.dailyCap);
  await h.server.services.otp.settled();
  t.is(h.codesFor(victimPhone).length, 0, 'no SMS went to the phone');
  // The phone's holder, from their own account, is not told to wait: no cooldown, no count was taken.
  t.regex(await say(h, 'o_otp_holder_0001', `绑定 ${victimPhone}`), /验证码已发送/);
  await eventually(() => h.codesFor(victimPhone).length === 1);
  // Repeating the refused request a minute later keeps nothing locked either.
  t.is(await say(h, greedy, `绑定 ${victimPhone}`), CHAT.dailyCap);
});

test('a code whose SMS failed is not counted and holds no cooldown: asking again sends one', async (t) => {
  const h = await startHarness({ env: { SMS_RETRIES: '1' } });
  t.teardown(() => h.close());
  const u = 'o_otp_failed_0001';
  const phone = '13922223333';
  h.sms.failAlways({ status: 503 });
  t.regex(await say(h, u, `绑定 ${phone}`), /验证码已发送/);
  await h.server.services.otp.settled();
  h.sms.failAlways(null);
  t.regex(await say(h, u, `绑定 ${phone}`), /验证码已发送/, 'no 60 s wait for a code that never arrived');
  // The gateway saw the failed attempt too; the code to type is the one that went out.
  await eventually(() => h.codesFor(phone).length >= 2);
  const codes = h.codesFor(phone);
  t.regex(await say(h, u, codes[codes.length - 1]), /绑定成功/);
});

test('a verified code for a phone another subscriber holds: the previous holder is told, unbound, protection off, data kept; the new holder inherits nothing', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const phone = '13933334444';
  const previous = 'o_takeover_prev_01';
  const next = 'o_takeover_next_01';
  h.wechat.state.follow(previous);
  h.wechat.state.follow(next);
  t.regex(await bind(h, previous, phone), /绑定成功/);
  t.regex(await say(h, previous, '开启防护'), /已开启|开启/);
  t.regex(await say(h, previous, '拒接 4001234567'), /4001234567/);
  const carrier = new CarrierClient(`http://127.0.0.1:${h.server.port}`, 'sim-carrier', 'sim-carrier-secret');
  t.teardown(() => carrier.agent.destroy());
  const screen = async () => (await carrier.post('/carrier/v1/screen', { caller: '4001234567', callee: phone })).json;
  t.like(await screen(), { action: 'block' });

  // The number changes hands (二次放号), long after its last code: its new holder binds it with a code sent to it.
  await h.deps.store.del(`otp:cool:${h.deps.vault.lookupHash(phone)}`);
  t.is(await bind(h, next, phone), CHAT.boundMoved('139****4444'));

  const told = await eventually(() => h.wechat.state.customMessages().find((m) => m.touser === previous));
  t.true(told.text.includes('139****4444'));
  t.false(told.text.includes(phone), 'the phone appears only masked');
  const prevId = await subscriberId(h, previous);
  const nextId = await subscriberId(h, next);
  t.false((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: prevId })).enabled, 'no "enabled" without a phone');
  t.is(await h.deps.db.getRepository(ListEntry).countBy({ subscriberId: prevId }), 1, "the previous holder's list is still theirs");
  t.is(await h.deps.db.getRepository(ListEntry).countBy({ subscriberId: nextId }), 0);
  t.regex(await say(h, previous, '拦截设置'), /绑定/, 'the previous holder is asked to bind a phone');

  // The stranger's list no longer applies to the phone, before or after its new holder enables protection.
  t.like(await screen(), { action: 'allow' });
  await say(h, next, '开启防护');
  const after = await screen();
  t.not(after.reason, 'personal_reject');
  t.notRegex(await say(h, next, '名单'), /4001234567/);

  const audit = async (id: number) => (await h.deps.db.getRepository(AuditEvent).findBy({ subscriberId: id })).map((e) => e.action);
  t.true((await audit(prevId)).includes('phone_moved_away'));
  t.true((await audit(prevId)).includes('protection_disabled'));
  const bound = (await h.deps.db.getRepository(AuditEvent).findBy({ subscriberId: nextId, action: 'phone_bound' })).pop();
  t.is(bound?.detail.movedFrom, prevId);
});
