// The database stalled (a TCP proxy in front of MariaDB stops forwarding, sockets open) or refused (the
// proxy drops every connection and stops listening), under the assembled server: screens answer from
// memory or allow/degraded at once, never a 5xx; the WeChat callback tells the subscriber in Chinese
// within WeChat's budget; /readyz names the database; interceptions say 503 so the network retries; and
// once the database is back the pool recovers by itself. MariaDB itself is never touched.
import test, { type ExecutionContext } from 'ava';
import { SCREEN_DEADLINE_MS } from '../app/carrier/screen-guard';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { TEST_DATABASE_URL } from './support/backends';
import { carrierOf, enrolByChat, metric, timed, warmScreen } from './support/fault-world';
import { startTcpProxy, viaProxy, type TcpProxy } from './support/tcp-proxy';

const SCREEN_BOUND_MS = 1000;
const CALLBACK_BOUND_MS = 4500;
const INTERCEPTIONS_BOUND_MS = 8000;

async function world(t: ExecutionContext, phone: string, openid: string): Promise<{ h: Harness; proxy: TcpProxy }> {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
  t.teardown(() => proxy.close());
  const h = await startHarness({ reachDatabase: (url) => viaProxy(url, proxy), env: { CARRIER_SCREEN_DEADLINE_MS: String(SCREEN_DEADLINE_MS) } });
  t.teardown(async () => {
    proxy.resume();
    await proxy.accept();
    await h.close();
  });
  await enrolByChat(h, openid, phone);
  return { h, proxy };
}

async function whileDown(t: ExecutionContext, h: Harness, phone: string, openid: string) {
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  const known = { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' };
  // A callee nobody has screened and nobody enrolled: the subscriber view answers it from memory.
  const unseen = { ...known, callee: '13911110000' };

  const a = await timed(() => carrier.post('/carrier/v1/screen', known));
  t.is(a.value.status, 200);
  t.like(a.value.json, { action: 'block', reason: 'category_block' }, 'a cached callee is decided from memory');
  t.true(a.ms < SCREEN_BOUND_MS, `answered in ${a.ms.toFixed(0)} ms`);

  const b = await timed(() => carrier.post('/carrier/v1/screen', unseen));
  t.is(b.value.status, 200);
  t.deepEqual(b.value.json, { action: 'allow', reason: 'not_enrolled' }, 'decided from the subscriber view, not the database');
  t.true(b.ms < SCREEN_BOUND_MS, `answered in ${b.ms.toFixed(0)} ms`);

  const batch = await timed(() => carrier.post('/carrier/v1/screen/batch', { calls: [known, { ...unseen, callee: '13911110001' }] }));
  t.is(batch.value.status, 200);
  t.is(batch.value.json.results.length, 2);
  t.true(batch.ms < SCREEN_BOUND_MS, `batch answered in ${batch.ms.toFixed(0)} ms`);

  const cb = await timed(() => h.sender.send(h.sender.text(openid, '拦截记录')));
  t.is(cb.value.status, 200);
  // Told in Chinese either way: the handler failed in time (系统繁忙), or it was still waiting at the budget (系统正忙).
  t.regex(cb.value.reply?.Content ?? '', /系统(繁忙|正忙)/);
  t.true(cb.ms < CALLBACK_BOUND_MS, `callback answered in ${cb.ms.toFixed(0)} ms`);

  const ready = await timed(() => fetch(`${h.server.url}/readyz`));
  t.is(ready.value.status, 503);
  t.like(await ready.value.json(), { database: false, down: ['database'] });
  t.true(ready.ms < 3000);

  const ev = await timed(() =>
    carrier.post('/carrier/v1/interceptions', { events: [{ id: `db-down-${Date.now()}`, caller: '4001234567', callee: phone, at: new Date().toISOString(), action: 'block', reason: 'category_block' }] }),
  );
  t.is(ev.value.status, 503, 'the network is told to retry, not that we failed');
  t.is(ev.value.json.error, 'unavailable');
  // A fresh connection may be needed (those whose query timed out are discarded): connect + query deadlines.
  t.true(ev.ms < INTERCEPTIONS_BOUND_MS, `interceptions answered in ${ev.ms.toFixed(0)} ms`);

  // Every screen above was decided from memory (the subscriber view and the label index): none had to fail open.
  t.is(await metric(h.server.url, 'fsr_carrier_degraded_total'), 0, 'no screen waited for the database');
  return { carrier, unseen };
}

async function recovered(t: ExecutionContext, h: Harness, carrier: ReturnType<typeof carrierOf>, unseen: object, openid: string) {
  await eventually(async () => (await fetch(`${h.server.url}/readyz`)).status === 200, 15_000);
  // The unseen callee's lookup finishes (or is retried) once the database answers.
  await eventually(async () => (await carrier.post('/carrier/v1/screen', unseen)).json?.reason === 'not_enrolled', 15_000);
  const cb = await h.sender.send(h.sender.text(openid, '拦截记录'));
  t.is(cb.status, 200);
  t.notRegex(cb.reply?.Content ?? '', /系统(繁忙|正忙)/, 'the chat works again');
}

test('database stalled: screens from memory or allow/degraded, a Chinese reply, readyz says database; the pool recovers', async (t) => {
  const phone = '13700137101';
  const openid = 'oFaultDbStall00001';
  const { h, proxy } = await world(t, phone, openid);
  const carrier0 = carrierOf(h);
  t.teardown(() => carrier0.close());
  t.like(await warmScreen(carrier0, { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' }), { action: 'block' });

  proxy.pause();
  const { carrier, unseen } = await whileDown(t, h, phone, openid);
  proxy.resume();
  await recovered(t, h, carrier, unseen, openid);
});

test('database refusing connections: the same answers, and the pool reconnects by itself when it accepts again', async (t) => {
  const phone = '13700137102';
  const openid = 'oFaultDbRefuse0001';
  const { h, proxy } = await world(t, phone, openid);
  const carrier0 = carrierOf(h);
  t.teardown(() => carrier0.close());
  t.like(await warmScreen(carrier0, { caller: '4001234567', callee: phone, callerIndustry: 'loan_finance' }), { action: 'block' });

  await proxy.refuse();
  proxy.dropAll();
  const { carrier, unseen } = await whileDown(t, h, phone, openid);
  await proxy.accept();
  await recovered(t, h, carrier, unseen, openid);
});
