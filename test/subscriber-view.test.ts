// The subscriber view across processes, on MariaDB: a second server process (node dist/app/main.js, its
// own Redis prefix so that no announcement of the first ever reaches it) learns every committed change
// from the change log alone, within a second; a pause and a deletion are never answered from a stale
// view once seen; a process killed and restarted catches up from the log before it says it is ready.
import test from 'ava';
import { createConnection } from 'mysql2/promise';
import { enrolPhoneBySms } from '../app/sms/inbound-enrolment';
import { startHarness, type Harness } from './support/app-harness';
import { TEST_REDIS_URL, testRedisPrefix } from './support/backends';
import { CarrierClient } from './support/carrier-client';
import { startServerProcess, type ServerProcess } from './support/server-process';

const KEY = { id: 'net-a', secret: 'secret-a-0123456789' };
const SOURCE = { actor: 'subscriber', channel: 'sms' } as const;
const CALLER = '13912345678';

let a: Harness;
let b: ServerProcess | null = null;
let client: CarrierClient;

async function startB(waitReady = true): Promise<void> {
  b = await startServerProcess({
    DATABASE_URL: a.dbUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    DATA_KEY: a.deps.config.dataKey.toString('base64'),
    CARRIER_KEYS: `${KEY.id}:${KEY.secret}`,
    // What is asserted is the answer, not its speed: a loaded machine may take longer than the network's
    // 50 ms for a first database lookup, which would be answered degraded (tested in faults-database).
    CARRIER_SCREEN_DEADLINE_MS: '2000',
  });
  client?.close();
  client = new CarrierClient(b.url, KEY.id, KEY.secret, 2);
  if (!waitReady) return;
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await fetch(`${b.url}/readyz`);
    if (r.status === 200) return;
    if (Date.now() > until) throw new Error('process B never became ready');
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function screen(callee: string): Promise<{ action: string; reason: string }> {
  // Dry runs: the tests poll, and one caller screened again and again for one callee would be 呼死你.
  const r = await client.post('/carrier/v1/screen', { caller: CALLER, callee, callerIndustry: 'loan_finance', dryRun: true });
  if (r.status !== 200) throw new Error(`screen answered ${r.status}: ${r.text}`);
  return r.json;
}

/** Milliseconds from now until process B answers `reason` for the callee (screened every 20 ms), or throws. */
async function msUntil(callee: string, reason: string, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await screen(callee)).reason === reason) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`B never answered ${reason}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function enrol(phone: string): Promise<number> {
  const { subscriberId } = await enrolPhoneBySms(a.deps.db, a.deps.vault, phone);
  await a.server.services.protection.enable(subscriberId, SOURCE);
  return subscriberId;
}

test.before(async () => {
  a = await startHarness({ db: 'mariadb', store: 'redis' });
  await startB();
});

test.after.always(async () => {
  client?.close();
  await b?.kill();
  await a?.close();
});

test.serial('an enrolment, a change, a pause and a deletion committed in one process are decided by the other within a second, from the log alone', async (t) => {
  const phone = '13800138001';
  t.like(await screen(phone), { action: 'allow', reason: 'not_enrolled' });

  const id = await enrol(phone);
  t.true((await msUntil(phone, 'category_block')) < 1000, 'enrolment seen within a second');

  await a.server.services.protection.setPaused(id, true, SOURCE);
  t.true((await msUntil(phone, 'paused')) < 1000, 'pause seen within a second');
  // Once seen, never answered from the older state again.
  for (let i = 0; i < 20; i++) t.like(await screen(phone), { action: 'allow', reason: 'paused' });

  await a.server.services.protection.setPaused(id, false, SOURCE);
  t.true((await msUntil(phone, 'category_block')) < 1000, 'resume seen within a second');

  // A customised subscriber: the whole preferences travel (loan calls allowed, a reject list entry).
  await a.server.services.preferences.setCategoryModes(id, { loan_finance: 'allow' }, SOURCE);
  t.true((await msUntil(phone, 'default')) < 1000, 'a category change seen within a second');
  await a.server.services.lists.add(id, 'reject', { number: CALLER }, SOURCE);
  t.true((await msUntil(phone, 'reject_list_exact')) < 1000, 'a list entry seen within a second');

  await a.server.services.dataRights.deleteAll(id, SOURCE);
  t.true((await msUntil(phone, 'not_enrolled')) < 1000, 'deletion seen within a second');
  for (let i = 0; i < 20; i++) t.like(await screen(phone), { action: 'allow', reason: 'not_enrolled' });
});

test.serial('a phone moved to another subscriber is decided by its new holder, the old one no longer protected by it', async (t) => {
  const phone = '13800138002';
  const other = '13800138003';
  const first = await enrol(phone);
  await a.server.services.preferences.setCategoryModes(first, { loan_finance: 'allow' }, SOURCE);
  await msUntil(phone, 'default');
  // A WeChat follower verifies the phone by code: the binding moves (bindVerified), with their own settings.
  const follower = await a.server.services.subscribers.ensure('o-follower-moving');
  await a.server.services.protection.enable(follower.id, { actor: 'subscriber', channel: 'wechat' });
  await a.server.services.bindings.bindVerified(follower.id, a.deps.vault.lookupHash(phone), a.deps.vault.encrypt(phone), { actor: 'subscriber', channel: 'wechat' });
  t.true((await msUntil(phone, 'category_block')) < 1000);
  // The old holder's protection went off with the phone; binding a new one and turning protection on
  // again protects that one with their own settings.
  await a.server.services.bindings.bindVerified(first, a.deps.vault.lookupHash(other), a.deps.vault.encrypt(other), { actor: 'subscriber', channel: 'wechat' });
  t.like(await screen(other), { reason: 'not_enrolled' });
  await a.server.services.protection.enable(first, SOURCE);
  t.true((await msUntil(other, 'default')) < 1000);
  t.like(await screen(phone), { reason: 'category_block' });
});

test.serial('a process killed and restarted catches up from the log before it says it is ready', async (t) => {
  const staying = '13800138010';
  const pausing = '13800138011';
  const leaving = '13800138012';
  const arriving = '13800138013';
  await enrol(staying);
  const p = await enrol(pausing);
  const l = await enrol(leaving);
  await msUntil(leaving, 'category_block');
  await b!.kill();

  await a.server.services.protection.setPaused(p, true, SOURCE);
  await a.server.services.dataRights.deleteAll(l, SOURCE);
  await enrol(arriving);

  await startB();
  const ready = await (await fetch(`${b!.url}/readyz`)).json();
  t.like(ready, { status: 'ready', subscriberView: true });
  // The very first answers after ready are the current ones.
  t.like(await screen(staying), { reason: 'category_block' });
  t.like(await screen(pausing), { reason: 'paused' });
  t.like(await screen(leaving), { reason: 'not_enrolled' });
  t.like(await screen(arriving), { reason: 'category_block' });
});

test.serial('a process whose view is still loading answers /readyz 503 and still decides correctly, through the database', async (t) => {
  const phone = '13800138020';
  await enrol(phone);
  await b!.kill();
  // Another session holds the view's table: the new process's load waits behind it, as a slow load would.
  const holder = await createConnection(a.dbUrl);
  try {
    await holder.query('LOCK TABLES subscriber_view WRITE');
    await startB(false);
    const r = await fetch(`${b!.url}/readyz`);
    t.is(r.status, 503);
    t.like(await r.json(), { status: 'not ready', database: true, subscriberView: false });
    t.like(await screen(phone), { action: 'block', reason: 'category_block' });
    t.like(await screen('13800138029'), { reason: 'not_enrolled' });
  } finally {
    await holder.query('UNLOCK TABLES');
    await holder.end();
  }
  const until = Date.now() + 20_000;
  let ready = await fetch(`${b!.url}/readyz`);
  while (ready.status !== 200 && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 50));
    ready = await fetch(`${b!.url}/readyz`);
  }
  t.like(await ready.json(), { status: 'ready', subscriberView: true });
  t.like(await screen(phone), { reason: 'category_block' });
});
