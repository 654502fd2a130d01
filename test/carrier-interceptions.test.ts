// Interceptions reported by the network: stored once per event id however often and on however many
// connections they arrive, with exact accepted/duplicates counts; tied to the enrolled callee; the caller
// kept encrypted; the notices hook inside the same transaction.
import test from 'ava';
import { In } from 'typeorm';
import { Interception, PhoneBinding } from '../entities';
import type { Interception as InterceptionRow } from '../entities/Interception';
import { startCarrierServer, type CarrierServer } from './support/carrier-server';

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  caller: '4001234567',
  callee: '13800138000',
  at: '2025-11-20T08:30:00.250+08:00',
  action: 'block',
  reason: 'category_block',
  category: 'loan_finance',
  ...extra,
});

async function enrol(s: CarrierServer, subscriberId: number, phone: string) {
  const { vault, db } = s.deps;
  await db.getRepository(PhoneBinding).insert({ subscriberId, phoneHash: vault.lookupHash(phone), phoneCipher: vault.encrypt(phone), source: 'wechat', verifiedAt: new Date() });
}

for (const [db, store] of [
  ['mariadb', 'redis'],
  ['sqlite', 'memory'],
] as const) {
  const name = (s: string) => `${db}+${store}: ${s}`;

  test(name('events replayed concurrently on several connections are stored and handed to the hook once'), async (t) => {
    const hooked: string[] = [];
    const s = await startCarrierServer({
      db,
      store,
      onStored: async (_m, rows) => {
        hooked.push(...rows.map((r) => r.eventId));
      },
    });
    t.teardown(() => s.close());
    const shared = Array.from({ length: 400 }, (_, i) => event(`shared-${i}`));
    const connections = Array.from({ length: 6 }, () => s.client(1));
    // Every connection sends the shared events in three overlapping deliveries (0–249, 150–399, 0–399),
    // plus events only it has, all at once.
    const ranges = [
      [0, 250],
      [150, 400],
      [0, 400],
    ];
    let sent = 0;
    const deliveries = connections.flatMap((c, ci) =>
      ranges.map(([from, to], round) => {
        const own = Array.from({ length: 20 }, (_, i) => event(`own-${ci}-${round}-${i}`));
        const events = [...shared.slice(from, to), ...own];
        sent += events.length;
        return c.post('/carrier/v1/interceptions', { events });
      }),
    );
    const answers = await Promise.all(deliveries);
    for (const a of answers) t.is(a.status, 200, a.text);
    const accepted = answers.reduce((n, a) => n + a.json.accepted, 0);
    const duplicates = answers.reduce((n, a) => n + a.json.duplicates, 0);
    const distinct = 400 + 6 * 3 * 20;
    t.is(accepted, distinct);
    t.is(sent, 6 * (250 + 250 + 400 + 3 * 20));
    t.is(duplicates, sent - distinct);
    t.is(await s.deps.db.getRepository(Interception).count(), distinct);
    t.is(hooked.length, distinct);
    t.is(new Set(hooked).size, distinct);

    // A later replay of everything is all duplicates.
    const again = await connections[0].post('/carrier/v1/interceptions', { events: shared });
    t.deepEqual(again.json, { accepted: 0, duplicates: 400 });
    t.is(hooked.length, distinct);
  });

  test(name('an id twice in one delivery counts once; ids are case-sensitive'), async (t) => {
    const s = await startCarrierServer({ db, store });
    t.teardown(() => s.close());
    const r = await s.client().post('/carrier/v1/interceptions', { events: [event('dup-1'), event('dup-1', { reason: 'other' }), event('DUP-1'), event('Dup-1')] });
    t.deepEqual(r.json, { accepted: 3, duplicates: 1 });
    const rows = await s.deps.db.getRepository(Interception).find({ order: { eventId: 'ASC' } });
    t.deepEqual(rows.map((x) => x.eventId).sort(), ['DUP-1', 'Dup-1', 'dup-1']);
    t.is(rows.find((x) => x.eventId === 'dup-1')!.reason, 'category_block'); // the first copy wins
  });

  test(name('the callee resolves to its subscriber; the caller is encrypted, hashed alike however spelt'), async (t) => {
    const s = await startCarrierServer({ db, store });
    t.teardown(() => s.close());
    await enrol(s, 41, '13800138000');
    const r = await s.client().post('/carrier/v1/interceptions', {
      events: [
        event('who-1', { caller: '+86 139 0013 9000', callee: '+8613800138000', action: 'smart_answer', reason: 'category_smart_answer', outcome: { action: 'smart_answer', summary: '对方自称快递，已留言' } }),
        event('who-2', { caller: '13900139000', callee: '13800138000', action: 'verify', reason: 'category_verify', outcome: { action: 'verify', verification: 'failed' } }),
        event('who-3', { caller: '13900139000', callee: '13700137000', ringMs: 900, reason: 'one_ring', category: undefined }),
      ],
    });
    t.deepEqual(r.json, { accepted: 3, duplicates: 0 });
    const rows = await s.deps.db.getRepository(Interception).find({ where: { eventId: In(['who-1', 'who-2', 'who-3']) }, order: { eventId: 'ASC' } });
    const [one, two, three] = rows;
    t.is(one.subscriberId, 41);
    t.is(two.subscriberId, 41);
    t.is(three.subscriberId, null); // not enrolled: kept, nobody to notify
    t.is(s.deps.vault.decrypt(one.callerCipher), '+86 139 0013 9000');
    t.false(one.callerCipher.includes('13900139000'));
    t.is(one.callerHash, two.callerHash);
    t.is(one.keyId, 'net-a');
    t.deepEqual(one.outcome, { action: 'smart_answer', summary: '对方自称快递，已留言' });
    t.deepEqual(two.outcome, { action: 'verify', verification: 'failed' });
    t.is(three.ringMs, 900);
    t.is(three.category, null);
    t.is(one.at.toISOString(), '2025-11-20T00:30:00.250Z');
  });

  test(name('a failing hook stores nothing; the redelivery stores it all'), async (t) => {
    let fail = true;
    const seen: InterceptionRow[] = [];
    const s = await startCarrierServer({
      db,
      store,
      onStored: async (m, rows) => {
        // The hook sees the rows inside the transaction, as an outbox insert would.
        t.is(await m.count(Interception, { where: { eventId: In(rows.map((r) => r.eventId)) } }), rows.length);
        if (fail) throw new Error('outbox down');
        seen.push(...rows);
      },
    });
    t.teardown(() => s.close());
    const events = [event('tx-1'), event('tx-2')];
    const broken = await s.client().post('/carrier/v1/interceptions', { events });
    t.is(broken.status, 500);
    t.is(broken.json.error, 'internal');
    t.is(await s.deps.db.getRepository(Interception).count(), 0);
    fail = false;
    const retried = await s.client().post('/carrier/v1/interceptions', { events });
    t.deepEqual(retried.json, { accepted: 2, duplicates: 0 });
    t.deepEqual(seen.map((r) => r.eventId), ['tx-1', 'tx-2']);
  });

  test(name('concurrent deliveries commit or roll back each on its own'), async (t) => {
    const s = await startCarrierServer({
      db,
      store,
      onStored: async (_m, rows) => {
        await new Promise((r) => setTimeout(r, 5));
        if (rows.some((r) => r.eventId.startsWith('fail-'))) throw new Error('outbox refused');
      },
    });
    t.teardown(() => s.close());
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const kind = i % 2 ? 'fail' : 'ok';
        return s.client(1).post('/carrier/v1/interceptions', { events: Array.from({ length: 30 }, (_, j) => event(`${kind}-${i}-${j}`)) });
      }),
    );
    t.deepEqual(
      answers.map((a) => a.status),
      Array.from({ length: 12 }, (_, i) => (i % 2 ? 500 : 200)),
    );
    const ids = (await s.deps.db.getRepository(Interception).find()).map((r) => r.eventId);
    t.is(ids.length, 6 * 30);
    t.true(ids.every((id) => id.startsWith('ok-')));
  });

  test(name('record() can be called directly and returns the stored rows'), async (t) => {
    const s = await startCarrierServer({ db, store });
    t.teardown(() => s.close());
    const first = await s.services.interceptions.record([event('direct-1') as never, event('direct-2') as never], { keyId: 'sim' });
    t.is(first.accepted, 2);
    t.deepEqual(first.stored.map((r) => r.eventId), ['direct-1', 'direct-2']);
    t.true(first.stored.every((r) => typeof r.id === 'number' && r.keyId === 'sim'));
    // Idempotent per carrier key: the same key's replay is a duplicate.
    const second = await s.services.interceptions.record([event('direct-2') as never, event('direct-3') as never], { keyId: 'sim' });
    t.is(second.accepted, 1);
    t.is(second.duplicates, 1);
    t.deepEqual(second.stored.map((r) => r.eventId), ['direct-3']);
  });
}
