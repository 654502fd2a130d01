import crypto from 'node:crypto';
import test from 'ava';
import { InboundSms, PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { mergeSmsSubscriber } from '../app/binding/merge-sms-subscriber';
import { smsInboundRouter } from '../app/sms/inbound-route';
import { normaliseKeywordText, parseKeyword } from '../app/sms/keywords';
import { freshPhone, startHarness, type Harness } from './support/ops-harness';

let h: Harness;
test.before(async () => {
  h = await startHarness();
});
test.after.always(async () => {
  await h?.close();
});

const msgId = () => `m-${crypto.randomUUID()}`;
const send = (from: string, text: string, id = msgId()) => h.inbound({ from, to: '10658000', text, id });

async function settingsOf(phone: string) {
  const b = await h.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: h.deps.vault.lookupHash(phone) });
  if (!b) return { binding: null, settings: null, subscriber: null };
  const settings = await h.deps.db.getRepository(ProtectionSettings).findOneBy({ subscriberId: b.subscriberId });
  const subscriber = await h.deps.db.getRepository(Subscriber).findOneBy({ id: b.subscriberId });
  return { binding: b, settings, subscriber };
}

test('keywords read alike whatever the case, width and spacing', (t) => {
  for (const s of ['KTFSR', 'ktfsr', ' KtFsR ', 'ＫＴＦＳＲ', 'ｋｔｆｓｒ', 'K T F S R', 'ＫＴＦＳＲ。']) t.is(parseKeyword(s), 'enable', s);
  for (const s of ['Y', 'y', 'ｙ', 'Ｙ', ' y\n', '是']) t.is(parseKeyword(s), 'confirm', s);
  for (const s of ['QXFSR', 'ｑｘｆｓｒ']) t.is(parseKeyword(s), 'disable', s);
  for (const s of ['CX', 'ｃｘ']) t.is(parseKeyword(s), 'status', s);
  for (const s of ['', 'hello', 'KTFSRX', 'N', '1']) t.is(parseKeyword(s), 'help', s);
  t.is(normaliseKeywordText('ＫＴ　ＦＳＲ'), 'KTFSR');
});

test('KTFSR asks for a confirmation, Y enables with the protective defaults and confirms by SMS', async (t) => {
  const phone = freshPhone();
  const first = await send(phone, 'KTFSR');
  t.is(first.status, 200);
  t.is(first.json.outcome, 'confirm_enable_asked');
  t.regex(h.smsTo(phone)[0].text, /回复Y确认开通/);
  t.is((await settingsOf(phone)).binding, null, 'nothing is enrolled before the confirmation');

  const second = await send(phone, 'Y');
  t.is(second.json.outcome, 'enabled');
  const { binding, settings, subscriber } = await settingsOf(phone);
  t.is(binding!.source, 'sms');
  t.is(subscriber!.openid, null, 'an SMS-only subscriber has no openid');
  t.true(settings!.enabled);
  t.false(settings!.paused);
  t.true(Object.values(settings!.categoryModes).every((m) => m === 'block'), 'every category refused by default');
  t.true(Object.values(settings!.behaviour).every(Boolean), 'behaviour protection on by default');
  const texts = h.smsTo(phone).map((m) => m.text);
  t.is(texts.length, 2);
  t.regex(texts[1], /已开通骚扰电话拦截/);
  t.true(texts[1].includes(`${phone.slice(0, 3)}****${phone.slice(7)}`), 'the confirmation names the phone masked');
  t.false(texts[1].includes(phone));

  const status = await send(phone, 'CX');
  t.is(status.json.outcome, 'status_on');
  t.regex(h.smsTo(phone)[2].text, /保护中/);
});

test('full-width and lower-case keywords work end to end', async (t) => {
  const phone = freshPhone();
  t.is((await send(phone, 'ＫＴＦＳＲ')).json.outcome, 'confirm_enable_asked');
  t.is((await send(phone, 'ｙ')).json.outcome, 'enabled');
  t.true((await settingsOf(phone)).settings!.enabled);
  t.is((await send(phone, 'qxfsr')).json.outcome, 'confirm_disable_asked');
  t.is((await send(phone, ' Ｙ ')).json.outcome, 'disabled');
  t.false((await settingsOf(phone)).settings!.enabled);
});

test('QXFSR with Y disables and keeps the preferences; re-enabling keeps what was chosen', async (t) => {
  const phone = freshPhone();
  await send(phone, 'KTFSR');
  await send(phone, 'Y');
  const { binding } = await settingsOf(phone);
  await h.deps.db.getRepository(ProtectionSettings).update({ subscriberId: binding!.subscriberId }, { categoryModes: { insurance: 'allow' } as never });
  t.is((await send(phone, 'QXFSR')).json.outcome, 'confirm_disable_asked');
  t.regex(h.smsTo(phone).at(-1)!.text, /回复Y确认取消/);
  t.true((await settingsOf(phone)).settings!.enabled, 'nothing changes before the confirmation');
  t.is((await send(phone, 'Y')).json.outcome, 'disabled');
  t.regex(h.smsTo(phone).at(-1)!.text, /已取消/);
  t.is((await send(phone, 'CX')).json.outcome, 'status_off');
  await send(phone, 'KTFSR');
  t.is((await send(phone, 'Y')).json.outcome, 'enabled');
  t.deepEqual((await settingsOf(phone)).settings!.categoryModes, { insurance: 'allow' });
});

test('Y without a pending request, or after it expired, changes nothing', async (t) => {
  const phone = freshPhone();
  t.is((await send(phone, 'Y')).json.outcome, 'nothing_pending');
  t.regex(h.smsTo(phone)[0].text, /没有待确认的申请/);
  t.is((await settingsOf(phone)).binding, null);

  // A second service whose confirmation lives 300 ms: the Store's own expiry ends the request.
  const short = await startHarness({ inbound: { confirmTtlMs: 300 } });
  try {
    const p2 = freshPhone();
    t.is((await short.inbound({ from: p2, text: 'KTFSR', id: msgId() })).json.outcome, 'confirm_enable_asked');
    await new Promise((r) => setTimeout(r, 700));
    t.is((await short.inbound({ from: p2, text: 'Y', id: msgId() })).json.outcome, 'nothing_pending');
    const b = await short.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: short.deps.vault.lookupHash(p2) });
    t.is(b, null, 'an expired request enrols nobody');
  } finally {
    await short.close();
  }
});

test('anything else gets the help text', async (t) => {
  const phone = freshPhone();
  const r = await send(phone, '你好，怎么开通？');
  t.is(r.json.outcome, 'help');
  t.regex(h.smsTo(phone)[0].text, /发送KTFSR开通/);
});

test('a replayed message id changes nothing and sends no second reply, even when replayed concurrently', async (t) => {
  const phone = freshPhone();
  const id = msgId();
  await send(phone, 'KTFSR');
  const yId = msgId();
  const answers = await Promise.all(Array.from({ length: 6 }, () => send(phone, 'Y', yId)));
  t.is(answers.filter((a) => a.json.status === 'processed').length, 1);
  t.is(answers.filter((a) => a.json.status === 'duplicate').length, 5);
  t.true(answers.every((a) => a.status === 200), 'a replay is acknowledged so the gateway stops retrying');
  t.is(h.smsTo(phone).length, 2, 'one confirmation request, one enabled message');

  // A replay of the QXFSR and then of its Y later on: the second Y must not disable twice nor answer twice.
  await send(phone, 'QXFSR', id);
  await send(phone, 'QXFSR', id);
  t.is(h.smsTo(phone).length, 3);
  const rows = await h.deps.db.getRepository(InboundSms).countBy({ fromHash: h.deps.vault.lookupHash(phone) });
  t.is(rows, 3);
});

test('a bad, missing or foreign signature is refused with 401 JSON and changes nothing', async (t) => {
  const phone = freshPhone();
  const body = { from: phone, text: 'KTFSR', id: msgId() };
  const forged = crypto.createHmac('sha256', 'not-the-secret').update(JSON.stringify(body)).digest('hex');
  for (const signature of [null, '', 'zz', forged, forged.toUpperCase().replace(/^./, '0')]) {
    const r = await h.inbound(body, { signature });
    t.is(r.status, 401);
    t.is(r.json.error, 'bad_signature');
  }
  // A valid signature over other bytes (the same JSON re-spaced) is still a different body.
  const good = crypto.createHmac('sha256', 'test-inbound-secret-0123456789').update(JSON.stringify(body)).digest('hex');
  const r = await h.inbound(body, { raw: JSON.stringify(body, null, 1), signature: good });
  t.is(r.status, 401);
  t.is(await h.deps.db.getRepository(InboundSms).countBy({ messageId: body.id }), 0);
  t.is(h.smsTo(phone).length, 0);
  // The same message properly signed is then handled normally: the refusals did not burn its id.
  t.is((await h.inbound(body)).json.outcome, 'confirm_enable_asked');
});

test('malformed, invalid and oversized bodies are refused as JSON', async (t) => {
  t.like(await h.inbound(null, { raw: '{"from":' }), { status: 400, json: { error: 'malformed_json' } });
  t.like(await h.inbound({ from: freshPhone(), text: 'KTFSR' }), { status: 400, json: { error: 'invalid', field: 'id' } });
  const big = { from: freshPhone(), text: 'x'.repeat(900), id: msgId(), pad: 'y'.repeat(10_000) };
  t.like(await h.inbound(big), { status: 413, json: { error: 'payload_too_large' } });
});

test('a sender that is not a mainland mobile is acknowledged and ignored', async (t) => {
  const r = await send('+447700900123', 'KTFSR');
  t.deepEqual(r.json, { status: 'ignored', outcome: 'not_a_mobile' });
  t.is(h.gateway.requests.filter((q) => q.body.phone === '+447700900123').length, 0);
});

test('a phone enrolled by SMS and later bound in WeChat is one subscriber with one set of preferences', async (t) => {
  const phone = freshPhone();
  await send(phone, 'KTFSR');
  await send(phone, 'Y');
  const before = await settingsOf(phone);
  const smsOnlyId = before.binding!.subscriberId;
  await h.lists.add(smsOnlyId, 'reject', { number: '4001234567' }, { actor: 'subscriber', channel: 'sms' });

  // The WeChat follower verifies the same phone by OTP: merge, then bind as the chat does.
  const follower = await h.core.subscribers.ensure(`openid-${crypto.randomUUID()}`);
  const phoneHash = h.deps.vault.lookupHash(phone);
  const merged = await mergeSmsSubscriber(h.deps, follower.id, phoneHash);
  t.is(merged.mergedFrom, smsOnlyId);
  const bound = await h.core.bindings.bindVerified(follower.id, phoneHash, h.deps.vault.encrypt(phone), { actor: 'subscriber', channel: 'wechat' });
  t.is(bound.movedFrom, null, 'the phone is already the follower’s: nobody lost it');

  const after = await settingsOf(phone);
  t.is(after.subscriber!.id, follower.id);
  t.truthy(after.subscriber!.openid);
  t.true(after.settings!.enabled, 'still protected: the preferences followed the phone');
  t.true(after.settings!.version > before.settings!.version);
  t.is(await h.deps.db.getRepository(Subscriber).countBy({ id: smsOnlyId }), 0, 'the SMS-only subscriber is gone');
  t.deepEqual((await h.lists.entries(follower.id, 'reject')).map((e) => e.value), ['4001234567']);

  // The SMS channel now speaks for the same subscriber.
  t.is((await send(phone, 'CX')).json.outcome, 'status_on');
  await send(phone, 'QXFSR');
  await send(phone, 'Y');
  t.false((await h.core.protection.get(follower.id))!.enabled);
  // Merging again is a no-op.
  t.deepEqual(await mergeSmsSubscriber(h.deps, follower.id, phoneHash), { mergedFrom: null });
});

test('a phone bound in WeChat first is enrolled by KTFSR as the same subscriber', async (t) => {
  const phone = freshPhone();
  const follower = await h.core.subscribers.ensure(`openid-${crypto.randomUUID()}`);
  await h.core.bindings.bindVerified(follower.id, h.deps.vault.lookupHash(phone), h.deps.vault.encrypt(phone), { actor: 'subscriber', channel: 'wechat' });
  await send(phone, 'KTFSR');
  t.is((await send(phone, 'y')).json.outcome, 'enabled');
  t.true((await h.core.protection.get(follower.id))!.enabled);
  t.is((await settingsOf(phone)).binding!.subscriberId, follower.id);
});

test('replies to one phone are capped per hour', async (t) => {
  const capped = await startHarness({ inbound: { repliesPerHour: 3 } });
  try {
    const phone = freshPhone();
    for (let i = 0; i < 5; i++) await capped.inbound({ from: phone, text: 'CX', id: msgId() });
    t.is(capped.smsTo(phone).length, 3);
  } finally {
    await capped.close();
  }
});

// Keep the router factory's contract visible: it is what the assembly mounts.
test('smsInboundRouter exposes POST /sms/inbound only', (t) => {
  const r = smsInboundRouter(h.deps, { protection: h.core.protection, sms: h.sms });
  t.deepEqual(
    r.stack.map((l) => [l.methods.filter((m) => m !== 'HEAD'), l.path]),
    [[['POST'], '/sms/inbound']],
  );
});
