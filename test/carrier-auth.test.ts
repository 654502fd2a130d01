// The carrier API's gate: every way a request can fail authentication, size, syntax or validation gets
// its JSON answer and changes nothing (no interception stored, no nonce spent by a forged request).
import test from 'ava';
import { Interception } from '../entities';
import { startCarrierServer, type CarrierServer } from './support/carrier-server';
import type { ScreenService } from '../app/carrier/ports';
import { carrierHeaders } from './support/carrier-client';

// A stand-in engine: these tests are about the gate, not the decisions (carrier-screen.test.ts has the real one).
const echoScreen: ScreenService = {
  screen: async (c) => (c.caller.startsWith('400') ? { action: 'block', reason: 'category_block', category: 'other_marketing' } : { action: 'allow', reason: 'default' }),
  screenBatch: async (calls) => Promise.all(calls.map((c) => echoScreen.screen(c))),
};

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  caller: '4001234567',
  callee: '13800138000',
  at: '2025-11-20T08:30:00+08:00',
  action: 'block',
  reason: 'category_block',
  category: 'other_marketing',
  ...extra,
});

const stored = (s: CarrierServer) => s.deps.db.getRepository(Interception).count();
const now = () => Math.floor(Date.now() / 1000);

for (const [db, store] of [
  ['mariadb', 'redis'],
  ['sqlite', 'memory'],
] as const) {
  const name = (s: string) => `${db}+${store}: ${s}`;
  const server = () => startCarrierServer({ db, store, screen: echoScreen });

  test(name('a signed screen request gets the decision as JSON'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const r = await s.client().post('/carrier/v1/screen', { caller: '4001234567', callee: '13800138000', attestation: 'A' });
    t.is(r.status, 200);
    t.regex(String(r.headers['content-type']), /application\/json/);
    t.deepEqual(r.json, { action: 'block', reason: 'category_block', category: 'other_marketing' });
    const get = await s.client().get('/carrier/v1/labels?since=0&limit=10');
    t.is(get.status, 200);
    t.deepEqual(get.json, { labels: [], nextSince: 0, hasMore: false });
  });

  test(name('a bad signature is refused, stores nothing and does not spend the nonce'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    const body = { events: [event('sig-1')] };
    const forged = await c.post('/carrier/v1/interceptions', body, { nonce: 'nonce-shared-1', signature: 'ab'.repeat(32) });
    t.is(forged.status, 401);
    t.is(forged.json.error, 'bad_signature');
    t.is(typeof forged.json.message, 'string');
    const wrongSecret = await c.post('/carrier/v1/interceptions', body, { nonce: 'nonce-shared-1', secret: 'secret-b-9876543210' });
    t.is(wrongSecret.json.error, 'bad_signature');
    const tampered = await c.post('/carrier/v1/interceptions', null, { nonce: 'nonce-shared-1', raw: JSON.stringify({ events: [event('sig-1', { callee: '13900139000' })] }), signedBody: JSON.stringify(body) });
    t.is(tampered.json.error, 'bad_signature');
    t.is(await stored(s), 0);
    // The real request with the same nonce still goes through: the forgeries did not burn it.
    const real = await c.post('/carrier/v1/interceptions', body, { nonce: 'nonce-shared-1' });
    t.is(real.status, 200);
    t.deepEqual(real.json, { accepted: 1, duplicates: 0 });
  });

  test(name('the signature covers the query string'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    const headers = carrierHeaders({ keyId: 'net-a', secret: 'secret-a-0123456789', method: 'GET', path: '/carrier/v1/labels?since=0' });
    const r = await c.get('/carrier/v1/labels?since=5', { headers });
    t.is(r.status, 401);
    t.is(r.json.error, 'bad_signature');
  });

  test(name('stale and future timestamps are refused and store nothing'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    for (const [ts, id] of [
      [now() - 330, 'old-1'],
      [now() + 330, 'future-1'],
      ['yesterday', 'word-1'],
    ] as const) {
      const r = await c.post('/carrier/v1/interceptions', { events: [event(id)] }, { timestamp: ts });
      t.is(r.status, 401, String(ts));
      t.is(r.json.error, 'stale_timestamp');
    }
    t.is(await stored(s), 0);
    const edge = await c.post('/carrier/v1/interceptions', { events: [event('edge-1')] }, { timestamp: now() - 240 });
    t.is(edge.status, 200);
  });

  test(name('a nonce is good once per key, even on another connection'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const first = await s.client(1).post('/carrier/v1/interceptions', { events: [event('n-1')] }, { nonce: 'only-once-123' });
    t.is(first.status, 200);
    const replay = await s.client(1).post('/carrier/v1/interceptions', { events: [event('n-2')] }, { nonce: 'only-once-123' });
    t.is(replay.status, 401);
    t.is(replay.json.error, 'nonce_reused');
    t.is(await stored(s), 1);
    // Nonces are per key: another carrier may happen to pick the same one.
    const otherKey = await s.client(1, 'net-b').post('/carrier/v1/interceptions', { events: [event('n-3')] }, { nonce: 'only-once-123' });
    t.is(otherKey.status, 200);
  });

  test(name('unknown keys, missing headers and odd nonces are refused'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    const unknown = await c.post('/carrier/v1/interceptions', { events: [event('k-1')] }, { keyId: 'net-x' });
    t.is(unknown.status, 401);
    t.is(unknown.json.error, 'unknown_key');
    const bare = await c.post('/carrier/v1/interceptions', { events: [event('k-2')] }, { headers: { 'X-Signature': '' } });
    t.is(bare.status, 401);
    t.is(bare.json.error, 'missing_auth');
    const shortNonce = await c.post('/carrier/v1/interceptions', { events: [event('k-3')] }, { nonce: 'abc' });
    t.is(shortNonce.json.error, 'bad_nonce');
    t.is(await stored(s), 0);
  });

  test(name('an oversized body gets 413 and stores nothing'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    const screenTooBig = await c.post('/carrier/v1/screen', { caller: '4001234567', callee: '13800138000', pad: 'x'.repeat(20 * 1024) });
    t.is(screenTooBig.status, 413);
    t.is(screenTooBig.json.error, 'payload_too_large');
    // 5 MiB of events: beyond the 4 MiB limit of the endpoint.
    const events = Array.from({ length: 1000 }, (_, i) => event(`big-${i}`, { pad: 'x'.repeat(5000) }));
    const tooBig = await c.post('/carrier/v1/interceptions', { events });
    t.is(tooBig.status, 413);
    t.is(tooBig.json.error, 'payload_too_large');
    t.is(await stored(s), 0);
  });

  test(name('malformed JSON gets 400 and stores nothing'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const r = await s.client().post('/carrier/v1/interceptions', null, { raw: '{"events": [ {"id": "m-1",' });
    t.is(r.status, 400);
    t.is(r.json.error, 'malformed_json');
    t.is(await stored(s), 0);
  });

  test(name('every field is validated and the offending one is named'), async (t) => {
    const s = await server();
    t.teardown(() => s.close());
    const c = s.client();
    const call = { caller: '4001234567', callee: '13800138000' };
    const screenCases: [unknown, string][] = [
      [{ ...call, caller: '1'.repeat(33) }, 'caller'],
      [{ ...call, callee: '' }, 'callee'],
      [{ callee: '13800138000' }, 'caller'],
      [{ ...call, callerIndustry: 42 }, 'callerIndustry'],
      [{ ...call, attestation: 'D' }, 'attestation'],
      [{ ...call, at: 'yesterday at noon' }, 'at'],
      [{ ...call, caller: 13800138000 }, 'caller'],
      [[call], '(body)'],
    ];
    for (const [body, field] of screenCases) {
      const r = await c.post('/carrier/v1/screen', body);
      t.is(r.status, 400, JSON.stringify(body));
      t.is(r.json.error, 'invalid_request');
      t.is(r.json.field, field, JSON.stringify(body));
      t.true(r.json.message.startsWith(`${field}:`));
    }
    const batch = await c.post('/carrier/v1/screen/batch', { calls: [call, { ...call, attestation: 'X' }] });
    t.is(batch.json.field, 'calls.1.attestation');
    const tooMany = await c.post('/carrier/v1/screen/batch', { calls: Array.from({ length: 1001 }, () => call) });
    t.is(tooMany.status, 400);
    t.is(tooMany.json.field, 'calls');

    const eventCases: [unknown, string][] = [
      [{ events: [event('v-1'), event('v-2', { category: 'lottery' })] }, 'events.1.category'],
      [{ events: [event('v-3', { id: undefined })] }, 'events.0.id'],
      [{ events: [event('with space')] }, 'events.0.id'],
      [{ events: [event('x'.repeat(65))] }, 'events.0.id'],
      [{ events: [event('v-4', { at: '2025-11-20 08:30' })] }, 'events.0.at'],
      [{ events: [event('v-5', { action: 'hang_up' })] }, 'events.0.action'],
      [{ events: [event('v-6', { action: 'smart_answer', outcome: { action: 'verify', verification: 'passed' } })] }, 'events.0.outcome.action'],
      [{ events: [event('v-7', { action: 'verify', outcome: { action: 'verify', verification: 'maybe' } })] }, 'events.0.outcome.verification'],
      [{ events: [event('v-8', { ringMs: -1 })] }, 'events.0.ringMs'],
      [{ events: Array.from({ length: 1001 }, (_, i) => event(`v-many-${i}`)) }, 'events'],
    ];
    for (const [body, field] of eventCases) {
      const r = await c.post('/carrier/v1/interceptions', body);
      t.is(r.status, 400, field);
      t.is(r.json.field, field);
    }
    const labels = await c.get('/carrier/v1/labels?since=-1');
    t.is(labels.status, 400);
    t.is(labels.json.field, 'since');
    t.is(await stored(s), 0);
  });

  test(name('a key beyond its rate gets 429 with Retry-After, and a refused delivery stores nothing'), async (t) => {
    const s = await startCarrierServer({ db, store, screen: echoScreen, env: { CARRIER_RATE_LIMIT: '3' } });
    t.teardown(() => s.close());
    const c = s.client(4);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => c.post('/carrier/v1/interceptions', { events: [event(`rate-${i}`)] })));
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    t.is(ok.length + limited.length, 12);
    // Fixed one-second windows: a burst that straddles a window edge may get two windows' worth.
    t.true(ok.length >= 3 && ok.length <= 6, `${ok.length} accepted`);
    for (const a of limited) {
      t.is(a.json.error, 'rate_limited');
      t.true(Number(a.headers['retry-after']) >= 1);
    }
    t.is(await stored(s), ok.length);
    // Another key has its own budget.
    const other = await s.client(1, 'net-b').post('/carrier/v1/interceptions', { events: [event('rate-other')] });
    t.is(other.status, 200);
  });
}
