// The network asks "block this call?" over signed HTTP and gets the real engine's answer: the callee's
// stated preferences and lists, the caller's labels; a batch answers exactly what single calls answer.
import test from 'ava';
import { PhoneBinding, Subscriber } from '../entities';
import type { AuditSource } from '../app/audit/audit';
import type { Deps } from '../app/deps';
import { LabelService } from '../app/labels/service';
import { ListsService } from '../app/settings/lists-service';
import { PreferencesService } from '../app/settings/preferences-service';
import { ProtectionService } from '../app/settings/protection-service';
import { startCarrierServer } from './support/carrier-server';

const user: AuditSource = { actor: 'subscriber', channel: 'wechat' };

async function enrol(deps: Deps, openid: string, phone: string): Promise<number> {
  const now = new Date();
  const { identifiers } = await deps.db.getRepository(Subscriber).insert({ openid, subscribed: true, subscribedAt: now, wechatPushBlocked: false, createdAt: now, updatedAt: now });
  const id = identifiers[0].id as number;
  await deps.db.getRepository(PhoneBinding).insert({ subscriberId: id, phoneHash: deps.vault.lookupHash(phone), phoneCipher: deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now });
  return id;
}

/** Alice: the protective default, insurance smart-answered, her courier allowed, one number refused. */
async function seed(deps: Deps) {
  const protection = new ProtectionService(deps.db, deps.store);
  const prefs = new PreferencesService(deps.db, deps.store, protection, deps.vault);
  const lists = new ListsService(deps.db, deps.store, protection, deps.vault);
  const alice = await enrol(deps, 'o-alice', '13800138000');
  await protection.enable(alice, user);
  await prefs.setCategoryModes(alice, { insurance: 'smart_answer', education: 'allow' }, user);
  await lists.add(alice, 'allow', { number: '13512345678' }, user);
  await lists.add(alice, 'reject', { number: '13698765432' }, user);
  await new LabelService(deps.db).setByOperator('02112345678', 'fraud', 1);
}

for (const [db, store] of [
  ['mariadb', 'redis'],
  ['sqlite', 'memory'],
] as const) {
  const start = () =>
    // The assembly's own decision engine, loaded from what seed() wrote.
    startCarrierServer({ db, store, seed });

  const table: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['a registered loan marketer is refused', { caller: '4001234567', callerIndustry: 'loan_finance' }, { action: 'block', reason: 'category_block', category: 'loan_finance' }],
    ['an insurance caller meets the smart answer', { caller: '4007654321', callerIndustry: 'insurance' }, { action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance' }],
    ['an allowed category rings', { caller: '4001112222', callerIndustry: 'education' }, { action: 'allow', reason: 'default' }],
    ['the allow list rings through a marketing industry', { caller: '+86 135 1234 5678', callerIndustry: 'loan_finance' }, { action: 'allow', reason: 'allow_list' }],
    ['the reject list refuses', { caller: '13698765432' }, { action: 'block', reason: 'reject_list_exact' }],
    ['a fraud-labelled number is refused', { caller: '021-1234-5678' }, { action: 'block', reason: 'fraud', category: 'fraud' }],
    ['a callee not enrolled is not screened', { caller: '4001234567', callerIndustry: 'loan_finance', callee: '13900139000' }, { action: 'allow', reason: 'not_enrolled' }],
  ];

  test(`${db}+${store}: single screens answer from the callee's preferences and the caller's labels`, async (t) => {
    const s = await start();
    t.teardown(() => s.close());
    const c = s.client();
    for (const [what, call, expected] of table) {
      const r = await c.post('/carrier/v1/screen', { callee: '13800138000', attestation: 'A', ...call });
      t.is(r.status, 200, what);
      t.deepEqual(r.json, expected, what);
    }
  });

  test(`${db}+${store}: a batch answers what the single calls answer, in order`, async (t) => {
    const s = await start();
    t.teardown(() => s.close());
    const c = s.client();
    const calls = [...table, ...table.slice().reverse()].map(([, call]) => ({ callee: '13800138000', attestation: 'A', at: '2025-11-20T10:00:00+08:00', ...call }));
    const batch = await c.post('/carrier/v1/screen/batch', { calls });
    t.is(batch.status, 200);
    t.is(batch.json.results.length, calls.length);
    const singles = [];
    for (const call of calls) singles.push((await c.post('/carrier/v1/screen', call)).json);
    t.deepEqual(batch.json.results, singles);
    t.deepEqual(batch.json.results.slice(0, table.length), table.map(([, , expected]) => expected));
    const empty = await c.post('/carrier/v1/screen/batch', { calls: [] });
    t.deepEqual(empty.json, { results: [] });
  });
}

// What /metrics says of a batch: each decision counted once, by action (fsr_carrier_decisions_total) and
// by action and reason (fsr_decisions_total), however the actions alternate. Serial: the counters are the
// process's, and no other test of this file may screen meanwhile.
test.serial('a batch counts each of its decisions once on /metrics, by action and by reason', async (t) => {
  const s = await startCarrierServer({ db: 'sqlite', store: 'memory', seed });
  t.teardown(() => s.close());
  const scrape = async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    const read = (name: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    return {
      block: read('fsr_carrier_decisions_total', 'action="block"'),
      allow: read('fsr_carrier_decisions_total', 'action="allow"'),
      smartAnswer: read('fsr_carrier_decisions_total', 'action="smart_answer"'),
      fraud: read('fsr_decisions_total', 'action="block",reason="fraud"'),
      notEnrolled: read('fsr_decisions_total', 'action="allow",reason="not_enrolled"'),
      categorySmart: read('fsr_decisions_total', 'action="smart_answer",reason="category_smart_answer"'),
    };
  };
  const alice = { callee: '13800138000', attestation: 'A' };
  const fraud = { ...alice, caller: '021-1234-5678' };
  const insurance = { ...alice, caller: '4007654321', callerIndustry: 'insurance' };
  const stranger = { caller: '4001234567', callee: '13900139000' };
  // Actions alternating call by call: block, allow, smart_answer, allow, block, …
  const calls = Array.from({ length: 30 }, (_, i) => [fraud, stranger, insurance, stranger][i % 4]);
  const before = await scrape();
  const r = await s.client().post('/carrier/v1/screen/batch', { calls });
  t.is(r.status, 200);
  t.deepEqual(
    r.json.results.slice(0, 4),
    [
      { action: 'block', reason: 'fraud', category: 'fraud' },
      { action: 'allow', reason: 'not_enrolled' },
      { action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance' },
      { action: 'allow', reason: 'not_enrolled' },
    ],
  );
  const after = await scrape();
  const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
  t.deepEqual(delta, { block: 8, allow: 15, smartAnswer: 7, fraud: 8, notEnrolled: 15, categorySmart: 7 });
});

// The single screen has its own way in ahead of the routers (carrierRouter's screenLane): what it answers,
// and what it leaves to the router, must be what the route itself answers.
test('a screen answers the same through its own way in and through the router: query string, trailing slash, other methods', async (t) => {
  const s = await startCarrierServer({ db: 'sqlite', store: 'memory', seed });
  t.teardown(() => s.close());
  const c = s.client();
  const call = { caller: '4001234567', callerIndustry: 'loan_finance', callee: '13800138000', attestation: 'A' };
  const expected = { action: 'block', reason: 'category_block', category: 'loan_finance' };
  for (const path of ['/carrier/v1/screen', '/carrier/v1/screen?via=edge-7', '/carrier/v1/screen/']) {
    const r = await c.post(path, call);
    t.is(r.status, 200, path);
    t.deepEqual(r.json, expected, path);
  }
  // Refusals come from the same middleware either way: a bad body is 400, a replayed nonce 401.
  const bad = await c.post('/carrier/v1/screen', { caller: 42, callee: '13800138000' });
  t.is(bad.status, 400);
  t.is(bad.json.error, 'invalid_request');
  const once = await c.post('/carrier/v1/screen', call, { nonce: 'lane-replay-0001' });
  t.is(once.status, 200);
  const replay = await c.post('/carrier/v1/screen/', call, { nonce: 'lane-replay-0001' });
  t.is(replay.status, 401);
  t.is(replay.json.error, 'nonce_reused');
  const put = await c.send('PUT', '/carrier/v1/screen', JSON.stringify(call));
  t.is(put.status, 405);
  t.is(put.headers.allow, 'POST');
});
