// Redis stalled (SIGSTOP) or gone (shut down, then started again on the same port) under the assembled
// server: the carrier API answers from memory within its budget (the nonce from a process-local window,
// the rate budget from a local bucket, both counted in /metrics), interceptions are stored and answered,
// the WeChat callback answers inside WeChat's 5 s with its retries still de-duplicated; and once Redis is
// back nothing is lost or doubled. Each test runs its own redis-server; the shared one is never touched.
import test from 'ava';
import { Interception } from '../entities';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { SCREEN_DEADLINE_MS } from '../app/carrier/screen-guard';
import { carrierOf, enrolByChat, metric, sleep, timed, warmScreen } from './support/fault-world';
import { startRedisServer, type RedisProcess } from './support/redis-process';
import { startServerProcess } from './support/server-process';

// Generous: the point is "answered, not hung". How fast is measured by `npm run bench` (faults phase).
const SCREEN_BOUND_MS = 1000;
const CALLBACK_BOUND_MS = 4500;

async function world(t: import('ava').ExecutionContext, phone: string, openid: string): Promise<{ h: Harness; redis: RedisProcess }> {
  const redis = await startRedisServer();
  t.teardown(() => redis.close());
  const h = await startHarness({ env: { REDIS_URL: redis.url, CARRIER_SCREEN_DEADLINE_MS: String(SCREEN_DEADLINE_MS) } });
  t.teardown(async () => {
    redis.resume();
    await h.close();
  });
  await enrolByChat(h, openid, phone);
  return { h, redis };
}

const event = (id: string, callee: string) => ({ id, caller: '4001234567', callee, at: new Date().toISOString(), action: 'block', reason: 'category_block', category: 'loan_finance' });

test('Redis stalled: screens, interceptions and the callback answer in time; after it returns the interception is notified once and replays stay refused', async (t) => {
  const phone = '13700137001';
  const openid = 'oFaultRedisStall01';
  const { h, redis } = await world(t, phone, openid);
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  const call = { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' };
  t.like(await warmScreen(carrier, call), { action: 'block', reason: 'category_block' }, 'decided normally before the stall');

  redis.stall();
  for (let i = 0; i < 5; i++) {
    const { value, ms } = await timed(() => carrier.post('/carrier/v1/screen', call));
    t.is(value.status, 200);
    t.like(value.json, { action: 'block', reason: 'category_block' }, 'decided from memory');
    t.true(ms < SCREEN_BOUND_MS, `screen ${i} answered in ${ms.toFixed(0)} ms`);
  }
  const batch = await timed(() => carrier.post('/carrier/v1/screen/batch', { calls: [call, { ...call, callee: '13911112222' }] }));
  t.is(batch.value.status, 200);
  t.true(batch.ms < SCREEN_BOUND_MS);

  // The nonce window still holds, process-locally.
  const nonce = 'stallnonce000001';
  const ts = Math.floor(Date.now() / 1000);
  t.is((await carrier.post('/carrier/v1/screen', call, { nonce, timestamp: ts })).status, 200);
  const replay = await carrier.post('/carrier/v1/screen', call, { nonce, timestamp: ts });
  t.is(replay.status, 401);
  t.is(replay.json.error, 'nonce_reused');

  const stored = await timed(() => carrier.post('/carrier/v1/interceptions', { events: [event('stall-evt-1', phone)] }));
  t.is(stored.value.status, 200);
  t.deepEqual(stored.value.json, { accepted: 1, duplicates: 0 });
  t.true(stored.ms < SCREEN_BOUND_MS);

  const msg = h.sender.text(openid, '拦截设置');
  const first = await timed(() => h.sender.send(msg));
  t.is(first.value.status, 200);
  t.true(first.ms < CALLBACK_BOUND_MS, `callback answered in ${first.ms.toFixed(0)} ms`);
  t.truthy(first.value.reply?.Content, 'a passive reply in Chinese, not silence');
  const retry = await timed(() => h.sender.send(msg));
  t.is(retry.value.status, 200);
  t.true(retry.ms < CALLBACK_BOUND_MS);
  t.is(retry.value.reply?.Content, first.value.reply?.Content, "WeChat's retry gets the first answer again");

  t.true((await metric(h.server.url, 'fsr_store_fallback_total', { use: 'carrier' })) > 0, 'the fallback is counted');
  // The breaker marks Redis down once a command has gone unanswered past its deadline and a PING too (~1.3 s).
  t.true(await eventually(async () => (await metric(h.server.url, 'fsr_store_up')) === 0, 5000).catch(() => false), 'and Redis is reported down');
  const ready = await fetch(`${h.server.url}/readyz`);
  t.is(ready.status, 503);
  t.like(await ready.json(), { database: true, store: false, down: ['store'] });
  await sleep(300);

  redis.resume();
  await eventually(async () => (await fetch(`${h.server.url}/readyz`)).status === 200);
  await eventually(async () => (await metric(h.server.url, 'fsr_store_fallback_pending')) === 0);

  // Nothing lost or doubled: one template message for the interception, however often it is reported.
  const templates = () => h.wechat.state.messages.filter((m) => m.kind === 'template' && m.touser === openid && m.templateId === h.deps.config.wechat.templateIntercept);
  await eventually(() => templates().length >= 1, 15_000);
  t.deepEqual((await carrier.post('/carrier/v1/interceptions', { events: [event('stall-evt-1', phone)] })).json, { accepted: 0, duplicates: 1 });
  await sleep(1500);
  t.is(templates().length, 1, 'notified exactly once');
  t.is(await h.deps.db.getRepository(Interception).countBy({ eventId: 'stall-evt-1' }), 1);

  const late = await carrier.post('/carrier/v1/screen', call, { nonce, timestamp: ts });
  t.is(late.status, 401, 'the nonce used during the stall is still refused after it');
  t.is((await h.sender.send(msg)).reply?.Content, first.value.reply?.Content, 'and the callback retry still answered once');
});

test('Redis shut down and started again on the same port: answers stay fast while it is gone, and the server reconnects by itself', async (t) => {
  const phone = '13700137002';
  const { h, redis } = await world(t, phone, 'oFaultRedisDown001');
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  const call = { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' };
  t.like(await warmScreen(carrier, call), { action: 'block', reason: 'category_block' }, 'decided normally before');

  await redis.shutdown();
  for (let i = 0; i < 3; i++) {
    const { value, ms } = await timed(() => carrier.post('/carrier/v1/screen', call));
    t.is(value.status, 200);
    t.like(value.json, { action: 'block' });
    t.true(ms < SCREEN_BOUND_MS, `screen answered in ${ms.toFixed(0)} ms`);
  }
  const stored = await timed(() => carrier.post('/carrier/v1/interceptions', { events: [event('down-evt-1', phone)] }));
  t.deepEqual(stored.value.json, { accepted: 1, duplicates: 0 });
  t.true(stored.ms < SCREEN_BOUND_MS);
  const cb = await timed(() => h.sender.send(h.sender.text('oFaultRedisDown001', '拦截设置')));
  t.is(cb.value.status, 200);
  t.true(cb.ms < CALLBACK_BOUND_MS);
  const ready = await fetch(`${h.server.url}/readyz`);
  t.is(ready.status, 503);
  t.like(await ready.json(), { store: false, down: ['store'] });

  await redis.restart();
  await eventually(async () => (await fetch(`${h.server.url}/readyz`)).status === 200);
  t.like((await carrier.post('/carrier/v1/screen', call)).json, { action: 'block', reason: 'category_block' });
  await eventually(() => h.wechat.state.messages.some((m) => m.kind === 'template' && m.touser === 'oFaultRedisDown001' && m.templateId === h.deps.config.wechat.templateIntercept), 15_000);
});

test('two processes on one Redis: a nonce spent on one while Redis was stalled is refused by the other once Redis is back', async (t) => {
  const phone = '13700137003';
  const { h, redis } = await world(t, phone, 'oFaultRedisTwoProc');
  const b = await startServerProcess(h.env);
  t.teardown(() => b.close());
  const onA = carrierOf(h);
  const onB = carrierOf(h, b.url);
  t.teardown(() => {
    onA.close();
    onB.close();
  });
  const call = { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' };
  t.like(await warmScreen(onA, call), { action: 'block' });
  t.like(await warmScreen(onB, call), { action: 'block' }, 'the second process decides alike');

  redis.stall();
  const nonce = 'twoprocnonce0001';
  const ts = Math.floor(Date.now() / 1000);
  const spent = await timed(() => onA.post('/carrier/v1/screen', call, { nonce, timestamp: ts }));
  t.is(spent.value.status, 200);
  t.true(spent.ms < SCREEN_BOUND_MS);
  await sleep(300);
  redis.resume();
  await eventually(async () => (await fetch(`${h.server.url}/readyz`)).status === 200, 20_000);
  await eventually(async () => (await metric(h.server.url, 'fsr_store_fallback_pending')) === 0, 20_000);

  const replay = await onB.post('/carrier/v1/screen', call, { nonce, timestamp: ts });
  t.is(replay.status, 401);
  t.is(replay.json.error, 'nonce_reused');
});
