// The notices outbox end to end in one process, on MariaDB + Redis (and once on SQLite): interceptions
// reported through the carrier API, scheduled in the same transaction, sent to the fake WeChat API and the
// SMS gateway by a worker the test drives tick by tick on a clock it moves by hand.
import test, { type ExecutionContext } from 'ava';
import { In } from 'typeorm';
import { claimDue } from '../app/notices/claim';
import { watchOutbox } from '../app/notices/metrics';
import { registry } from '../app/metrics';
import { onTemplateSendJobFinish } from '../app/notices/delivery-status';
import { scheduleEnabledNotice } from '../app/notices/schedule';
import { startNoticeWorker, type NoticeWorkerOptions } from '../app/notices/worker';
import { maskPhone } from '../app/privacy/mask';
import { Notice, NoticeItem, Subscriber, WechatMessage } from '../entities';
import { FAKE_APP } from './support/fake-wechat-api';
import { manualClock, noticesHarness, type HarnessOptions } from './support/notices-harness';
import type { DbKind } from './support/backends';

const TEMPLATE_PATH = '/cgi-bin/message/template/send';
// 12:00 in Shanghai.
const NOON = new Date('2026-03-02T04:00:00.000Z');
const SECOND = 1000;

async function setup(t: ExecutionContext, o: { start?: Date; db?: DbKind; worker?: NoticeWorkerOptions; harness?: HarnessOptions } = {}) {
  const clock = manualClock(o.start ?? NOON);
  // One minute of the subscribers' settings lasts one second here: a 60-minute digest window is 60 s of clock.
  const h = await noticesHarness({ db: o.db, policy: { now: clock.now, minuteMs: SECOND }, ...o.harness });
  const worker = startNoticeWorker(h.deps, h.channels(), { lanes: 0, retentionEveryMs: 0, policy: h.policy, backoffMs: SECOND, rateLimitPauseMs: 1, ...o.worker });
  t.teardown(async () => {
    await worker.stop();
    await h.close();
  });
  const at = () => clock.now().toISOString();
  const notices = (subscriberId: number) => h.deps.db.getRepository(Notice).find({ where: { subscriberId }, order: { id: 'ASC' } });
  const itemsOf = async (noticeId: number) => (await h.deps.db.getRepository(NoticeItem).findBy({ noticeId })).length;
  const templatesTo = (openid: string | null) => h.wechatApi.state.templateMessages().filter((m) => m.touser === openid);
  const smsTo = (phone: string) => h.smsGateway.requests.filter((r) => r.body.phone === phone);
  return { h, clock, worker, at, notices, itemsOf, templatesTo, smsTo };
}

test('per call: the first interception goes at once, the rest of the window folds into one digest at its end', async (t) => {
  const { h, clock, worker, at, notices, itemsOf, templatesTo } = await setup(t);
  const s = await h.subscriber({ mode: 'per_call', digestMinutes: 60 });
  await h.report([h.event(s.phone, { caller: '4001234567', at: at() })]);
  await worker.tick();
  const first = templatesTo(s.openid);
  t.is(first.length, 1);
  t.is(first[0].templateId, FAKE_APP.templateIntercept);
  t.deepEqual(first[0].data, {
    character_string1: { value: '4001234567' },
    thing2: { value: '贷款理财' },
    time3: { value: '2026-03-02 12:00' },
    character_string4: { value: maskPhone(s.phone) },
  });
  t.regex(first[0].url ?? '', /^https:\/\/fsr\.example\.com\/h5\/records\?notice=\d+$/);

  clock.advance(10 * SECOND);
  await h.report([h.event(s.phone, { at: at() }), h.event(s.phone, { at: at(), category: 'insurance' }), h.event(s.phone, { at: at() })]);
  await worker.tick();
  clock.advance(49 * SECOND + 999);
  await worker.tick();
  t.is(templatesTo(s.openid).length, 1, 'nothing more inside the window');
  clock.advance(1);
  await worker.tick();
  const all = templatesTo(s.openid);
  t.is(all.length, 2);
  t.is(all[1].data.thing2.value, '过去1小时为您拦截3个骚扰电话');

  const rows = await notices(s.id);
  t.deepEqual(
    rows.map((n) => [n.kind, n.state]),
    [
      ['intercept', 'sent'],
      ['digest', 'sent'],
    ],
  );
  t.deepEqual([await itemsOf(rows[0].id), await itemsOf(rows[1].id)], [1, 3]);
  t.is(rows[1].dueAt.getTime() - rows[0].dueAt.getTime(), 60 * SECOND);
  t.is(rows[1].msgid, all[1].msgid, 'the msgid is kept exact, as WeChat wrote it');

  // A call after a quiet window is again its own notice, at once.
  clock.advance(61 * SECOND);
  await h.report([h.event(s.phone, { at: at() })]);
  await worker.tick();
  t.is(templatesTo(s.openid).length, 3);
  t.is((await notices(s.id))[2].kind, 'intercept');
});

test('a replayed interception is stored and notified once; the outbox depth shows on /metrics', async (t) => {
  const { h, worker, templatesTo, notices } = await setup(t);
  const s = await h.subscriber();
  const e = h.event(s.phone);
  t.deepEqual(await h.report([e, e]), { accepted: 1, duplicates: 1 });
  t.deepEqual(await h.report([e]), { accepted: 0, duplicates: 1 });
  watchOutbox(h.deps.db);
  t.regex(await registry.getSingleMetricAsString('fsr_notice_outbox_depth'), /^fsr_notice_outbox_depth\{state="pending"\} 1$/m);
  await worker.tick();
  await worker.tick();
  t.is(templatesTo(s.openid).length, 1);
  t.is((await notices(s.id)).length, 1);
});

test('digest mode: nothing at once, one digest per window', async (t) => {
  const { h, clock, worker, at, templatesTo } = await setup(t);
  const s = await h.subscriber({ mode: 'digest', digestMinutes: 30 });
  await h.report([h.event(s.phone, { at: at() }), h.event(s.phone, { at: at() })]);
  await worker.tick();
  t.is(templatesTo(s.openid).length, 0);
  clock.advance(20 * SECOND);
  await h.report([h.event(s.phone, { at: at() })]);
  clock.advance(10 * SECOND);
  await worker.tick();
  const sent = templatesTo(s.openid);
  t.is(sent.length, 1);
  t.is(sent[0].data.thing2.value, '过去30分钟为您拦截3个骚扰电话');
});

test('quiet hours: nothing is sent inside them; what was held goes out at their end as one digest', async (t) => {
  // 23:00 in Shanghai.
  const { h, clock, worker, at, templatesTo, notices } = await setup(t, { start: new Date('2026-03-02T15:00:00.000Z') });
  const s = await h.subscriber({ mode: 'per_call', quietHours: { start: '22:00', end: '07:00' } });
  await h.report([h.event(s.phone, { at: at() }), h.event(s.phone, { at: at() })]);
  await worker.tick();
  clock.set(new Date('2026-03-02T22:30:00.000Z')); // 06:30
  await h.report([h.event(s.phone, { at: at() })]);
  clock.set(new Date('2026-03-02T22:59:59.999Z'));
  await worker.tick();
  t.is(templatesTo(s.openid).length, 0, 'nothing inside quiet hours');
  const held = await notices(s.id);
  t.deepEqual(
    held.map((n) => [n.kind, n.state, n.dueAt.toISOString()]),
    [['digest', 'held', '2026-03-02T23:00:00.000Z']],
  );
  clock.set(new Date('2026-03-02T23:00:00.000Z')); // 07:00
  await worker.tick();
  const sent = templatesTo(s.openid);
  t.is(sent.length, 1);
  t.is(sent[0].data.thing2.value, '免打扰期间为您拦截3个骚扰电话');
});

test('an unfollowed subscriber who allows SMS gets the notice by SMS, not WeChat; without SMS allowed, none', async (t) => {
  const { h, worker, at, templatesTo, smsTo, notices } = await setup(t);
  const gone = await h.subscriber({ wechat: true, sms: true }, { following: false });
  const silent = await h.subscriber({ wechat: true, sms: false }, { following: false });
  await h.report([h.event(gone.phone, { caller: '4009998888', at: at() }), h.event(silent.phone)]);
  await worker.tick();
  t.is(templatesTo(gone.openid).length + templatesTo(silent.openid).length, 0);
  t.is(h.wechatApi.state.requestCount(TEMPLATE_PATH), 0, 'WeChat was not even asked');
  const sms = smsTo(gone.phone);
  t.is(sms.length, 1);
  t.like(sms[0].body, { purpose: 'notice', template: 'intercept' });
  t.regex(sms[0].body.text, /^【防骚扰服务提醒】2026-03-02 12:00已为您拦截来电4009998888（贷款理财）。$/);
  const [n] = await notices(gone.id);
  t.like(n, { state: 'sent', channel: 'sms' });
  t.truthy(n.smsMessageId);
  t.like(n.history.find((e) => e.event === 'fallback'), { channel: 'sms', error: 'unfollowed' });
  t.is(smsTo(silent.phone).length, 0);
  t.like((await notices(silent.id))[0], { state: 'failed', lastError: 'unfollowed' });
});

test('43101 (refused): WeChat pushes stop for that subscriber and the notice goes by SMS, once', async (t) => {
  const { h, clock, worker, at, templatesTo, smsTo, notices } = await setup(t);
  const s = await h.subscriber({ sms: true, digestMinutes: 1 });
  h.wechatApi.state.refuseTemplate(s.openid!, FAKE_APP.templateIntercept);
  await h.report([h.event(s.phone, { at: at() })]);
  await worker.tick(); // WeChat answers 43101
  await worker.tick(); // the SMS
  t.is(templatesTo(s.openid).length, 0);
  t.is(smsTo(s.phone).length, 1);
  const sub = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ id: s.id });
  t.true(sub.wechatPushBlocked);
  const [n] = await notices(s.id);
  t.like(n, { state: 'sent', channel: 'sms', tries: 2 });
  t.deepEqual(
    n.history.filter((e) => e.event !== 'held').map((e) => [e.event, e.channel, e.result ?? null]),
    [
      ['attempt', 'wechat', 'blocked'],
      ['fallback', 'sms', null],
      ['attempt', 'sms', 'sent'],
    ],
  );
  // Later notices go straight to SMS: WeChat is not asked again.
  const asked = h.wechatApi.state.requestCount(TEMPLATE_PATH);
  clock.advance(5 * SECOND);
  await h.report([h.event(s.phone, { at: at() })]);
  await worker.tick();
  t.is(h.wechatApi.state.requestCount(TEMPLATE_PATH), asked);
  t.is(smsTo(s.phone).length, 2);
});

test('43004 without SMS allowed: the notice fails and says why', async (t) => {
  const { h, worker, notices } = await setup(t);
  const s = await h.subscriber({ sms: false });
  h.wechatApi.state.unfollow(s.openid!); // unfollowed at WeChat before our event arrived
  await h.report([h.event(s.phone)]);
  await worker.tick();
  t.like((await notices(s.id))[0], { state: 'failed', lastError: 'wechat 43004' });
  t.true((await h.deps.db.getRepository(Subscriber).findOneByOrFail({ id: s.id })).wechatPushBlocked);
});

test('45009 and HTTP 500 are retried with backoff; the notice arrives once', async (t) => {
  const { h, clock, worker, templatesTo, notices } = await setup(t);
  const s = await h.subscriber();
  h.wechatApi.state.failNext(TEMPLATE_PATH, 45009, 1);
  h.wechatApi.state.failNext(TEMPLATE_PATH, { http: 500 }, 1);
  await h.report([h.event(s.phone)]);
  await worker.tick();
  let [n] = await notices(s.id);
  t.like(n, { state: 'pending', tries: 1, lastError: '45009' });
  t.true(n.nextAt!.getTime() > clock.now().getTime(), 'not before its backoff');
  await worker.tick();
  t.is(h.wechatApi.state.requestCount(TEMPLATE_PATH), 1, 'waits out the backoff');
  clock.advance(60 * SECOND);
  await worker.tick();
  clock.advance(60 * SECOND);
  await worker.tick();
  [n] = await notices(s.id);
  t.like(n, { state: 'sent', tries: 3 });
  t.deepEqual(
    n.history.map((e) => e.result),
    ['retry', 'retry', 'sent'],
  );
  t.is(templatesTo(s.openid).length, 1);
});

test('a WeChat timeout is recorded as uncertain and not sent again', async (t) => {
  const { h, clock, worker, notices } = await setup(t, { harness: { wechatTimeoutMs: 300 } });
  const s = await h.subscriber({ sms: true });
  h.wechatApi.state.failNext(TEMPLATE_PATH, 'timeout', 1);
  await h.report([h.event(s.phone)]);
  await worker.tick();
  clock.advance(3600 * SECOND);
  await worker.tick();
  t.is(h.wechatApi.state.requestCount(TEMPLATE_PATH), 1);
  t.is(h.smsGateway.requests.length, 0, 'nor by SMS: it may have arrived');
  const [n] = await notices(s.id);
  t.like(n, { state: 'uncertain', nextAt: null, tries: 1 });
  const msg = await h.deps.db.getRepository(WechatMessage).findOneByOrFail({ subscriberId: s.id });
  t.like(msg, { status: 'uncertain', purpose: 'intercept', msgid: null });
});

test('TEMPLATESENDJOBFINISH: success is recorded; "failed:user block" stops WeChat and sends the notice by SMS', async (t) => {
  const { h, clock, worker, notices, smsTo } = await setup(t);
  const ok = await h.subscriber();
  const blocker = await h.subscriber({ sms: true });
  await h.report([h.event(ok.phone), h.event(blocker.phone)]);
  await worker.tick();
  const [a] = await notices(ok.id);
  const [b] = await notices(blocker.id);
  t.like(await onTemplateSendJobFinish(h.deps, a.msgid!, 'success'), { noticeId: a.id, status: 'success', resentBySms: false });
  t.like(await h.deps.db.getRepository(Notice).findOneByOrFail({ id: a.id }), { delivery: 'success', state: 'sent' });
  t.is((await h.deps.db.getRepository(WechatMessage).findOneByOrFail({ msgid: a.msgid! })).status, 'delivered');

  t.like(await onTemplateSendJobFinish(h.deps, b.msgid!, 'failed:user block', { now: clock.now() }), { noticeId: b.id, status: 'user_block', resentBySms: true });
  await worker.tick();
  t.is(smsTo(blocker.phone).length, 1);
  t.like(await h.deps.db.getRepository(Notice).findOneByOrFail({ id: b.id }), { state: 'sent', channel: 'sms', delivery: 'failed:user block' });
  t.true((await h.deps.db.getRepository(Subscriber).findOneByOrFail({ id: blocker.id })).wechatPushBlocked);
  t.like(await onTemplateSendJobFinish(h.deps, '1234567890123456789', 'success'), { noticeId: null });
});

test('the "service enabled" notice goes through the outbox as a template message and an SMS, even in quiet hours', async (t) => {
  const { h, worker, templatesTo, smsTo, notices } = await setup(t, { start: new Date('2026-03-02T15:00:00.000Z') });
  const s = await h.subscriber({ quietHours: { start: '22:00', end: '07:00' } });
  const ids = await scheduleEnabledNotice(h.deps.db, s.id, { policy: h.policy });
  t.is(ids.length, 2);
  await worker.tick();
  const [tpl] = templatesTo(s.openid);
  t.is(tpl.templateId, FAKE_APP.templateEnabled);
  t.is(tpl.data.character_string2.value, maskPhone(s.phone));
  t.is(tpl.data.phrase4.value, '已开启');
  const [sms] = smsTo(s.phone);
  t.like(sms.body, { purpose: 'notice', template: 'enabled' });
  t.true(sms.body.text.includes(maskPhone(s.phone)));
  t.false(sms.body.text.includes(s.phone));
  t.deepEqual(
    (await notices(s.id)).map((n) => [n.kind, n.channel, n.state]),
    [
      ['enabled', 'wechat', 'sent'],
      ['enabled', 'sms', 'sent'],
    ],
  );
});

test('smart answering and verification outcomes read in plain Chinese within the keyword limit', async (t) => {
  const { h, worker, templatesTo } = await setup(t);
  const a = await h.subscriber();
  const b = await h.subscriber();
  const c = await h.subscriber();
  await h.report([
    h.event(a.phone, { action: 'smart_answer', reason: 'category_smart_answer', category: 'other_marketing', outcome: { action: 'smart_answer', summary: '对方自称快递，已留言' } }),
    h.event(b.phone, { action: 'verify', reason: 'category_verify', outcome: { action: 'verify', verification: 'failed' } }),
    h.event(c.phone, { action: 'smart_answer', reason: 'category_smart_answer', outcome: { action: 'smart_answer', summary: '对方自称某银行信用卡中心，询问是否需要办理分期还款业务，已留言' } }),
  ]);
  await worker.tick();
  t.is(templatesTo(a.openid)[0].data.thing2.value, '智能接听：对方自称快递，已留言');
  t.is(templatesTo(b.openid)[0].data.thing2.value, '来电验证未通过，已挂断');
  const long = templatesTo(c.openid)[0].data.thing2.value;
  t.is([...long].length, 20);
  t.true(long.startsWith('智能接听：对方自称某银行') && long.endsWith('…'));
});

test('a claim whose worker died before sending is sent after the lease; one that died while sending becomes uncertain', async (t) => {
  const { h, clock, worker, templatesTo, notices } = await setup(t);
  const a = await h.subscriber();
  await h.report([h.event(a.phone)]);
  const dead = await claimDue(h.deps.db, 'dead-worker', 10, 5 * SECOND, clock.now());
  t.is(dead.claimed.length, 1);
  await worker.tick();
  t.is(templatesTo(a.openid).length, 0, 'not while the lease lives');
  clock.advance(5 * SECOND + 1);
  await worker.tick();
  t.is(templatesTo(a.openid).length, 1);
  const [na] = await notices(a.id);
  t.is(na.state, 'sent');
  t.true(na.history.some((e) => e.event === 'requeued'));

  const b = await h.subscriber();
  await h.report([h.event(b.phone)]);
  const dying = await claimDue(h.deps.db, 'dying-worker', 10, 5 * SECOND, clock.now());
  await h.deps.db.getRepository(Notice).update({ id: In(dying.claimed.map((n) => n.id)) }, { state: 'sending' });
  clock.advance(5 * SECOND + 1);
  await worker.tick();
  t.is(templatesTo(b.openid).length, 0);
  t.like((await notices(b.id))[0], { state: 'uncertain', lastError: 'lease expired while sending' });
});

test('SQLite (embedded mode): one worker schedules, folds and sends the same way', async (t) => {
  const { h, clock, worker, at, templatesTo } = await setup(t, { db: 'sqlite' });
  const s = await h.subscriber({ digestMinutes: 10 });
  await h.report([h.event(s.phone, { at: at() }), h.event(s.phone, { at: at() }), h.event(s.phone, { at: at() })]);
  await worker.tick();
  clock.advance(10 * SECOND);
  await worker.tick();
  const sent = templatesTo(s.openid);
  t.deepEqual(
    sent.map((m) => m.data.thing2.value),
    ['贷款理财', '过去10分钟为您拦截2个骚扰电话'],
  );
});

test('one send rate for all workers, shared through Redis; a 45009 makes every worker hold off', async (t) => {
  const { h, clock, worker: a, templatesTo } = await setup(t, { worker: { ratePerSecond: 5, leaseMs: 1000, rateLimitPauseMs: 60_000 } });
  const b = startNoticeWorker(h.deps, h.channels(), { lanes: 0, retentionEveryMs: 0, policy: h.policy, ratePerSecond: 5, leaseMs: 1000, rateLimitPauseMs: 60_000 });
  t.teardown(() => b.stop());
  const subs: Awaited<ReturnType<typeof h.subscriber>>[] = [];
  for (let i = 0; i < 12; i++) subs.push(await h.subscriber());
  await h.report(subs.map((s) => h.event(s.phone)));
  const sent = () => subs.reduce((n, s) => n + templatesTo(s.openid).length, 0);
  await a.tick();
  t.is(sent(), 5);
  await b.tick();
  t.is(sent(), 5, 'the other worker found this second’s budget spent');
  clock.advance(SECOND);
  await b.tick();
  await a.tick();
  t.is(sent(), 10);
  clock.advance(SECOND);
  h.wechatApi.state.failNext(TEMPLATE_PATH, 45009, 1);
  await a.tick();
  t.is(sent(), 11, 'one of the two answered 45009');
  clock.advance(SECOND);
  await b.tick();
  t.is(sent(), 11, 'every worker holds off after a 45009');
  t.is(h.wechatApi.state.requestCount(TEMPLATE_PATH), 12);
});
