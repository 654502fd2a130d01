// The marketers' watch list (which numbers a key holds, for its changes feed) as the service keeps it: one
// sealed row per scrub request, no number in clear, read back by the feed of any process, forgotten 31
// days after the scrub; and the feed's paging when it must walk more settings changes than one page reads.
import test from 'ava';
import { ChangesFeed } from '../app/marketers/changes-feed';
import { DbRefusalSource } from '../app/marketers/refusals';
import { decodeKeys, encodeKeys, sortedDistinct } from '../app/marketers/watch-blob';
import { numberKey } from '../app/protection/number-key';
import { toSqlTime } from '../app/labels/sql';
import { basePreferences } from './support/protection-cases';
import { seedSubscriber, type World } from './support/protection-world';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { startServerProcess } from './support/server-process';
import { CarrierClient } from './support/carrier-client';

const ONE = { id: 'cc-one', secret: 'cc-one-secret-0001' };
const MARKETER_KEYS = `${ONE.id}:${ONE.secret}`;
const DAY_MS = 86_400_000;

type Page = { changes: { number: string; callable: boolean; reason: string; version: number }[]; nextSince: number; hasMore: boolean };

async function feedNumbers(c: CarrierClient, since = 0): Promise<string[]> {
  const res = await c.get(`/marketer/v1/changes?since=${since}&category=loan_finance&limit=100`);
  if (res.status !== 200) throw new Error(res.text);
  return (res.json as Page).changes.map((x) => x.number).sort();
}

async function seedMany(h: Harness, numbers: string[]): Promise<number[]> {
  const world = { deps: h.deps } as World;
  const ids: number[] = [];
  for (const n of numbers) ids.push(await seedSubscriber(world, n, basePreferences()));
  return ids;
}

test('number keys survive the watch blob coding: mobiles, landlines, foreign numbers, large gaps', (t) => {
  const numbers = ['13800138000', '13800138001', '19999999999', '01012345678', '+4420794600000', '13000000000', '13800138000'];
  const keys = new Float64Array(numbers.map(numberKey));
  const sorted = sortedDistinct(keys);
  t.is(sorted.length, 6);
  t.deepEqual([...decodeKeys(encodeKeys(sorted))], [...sorted]);
  t.deepEqual([...sorted], [...new Set(numbers.map(numberKey))].sort((a, b) => a - b));
});

for (const db of ['mariadb', 'sqlite'] as const) {
  test(`${db}: one sealed watch row per scrub request, no number in it in clear; forgotten 31 days after the scrub`, async (t) => {
    const h = await startHarness({ db, store: db === 'sqlite' ? 'memory' : 'redis', env: { MARKETER_KEYS, MARKETER_RATE_LIMIT: '1000' } });
    t.teardown(() => h.close());
    const one = new CarrierClient(h.server.url, ONE.id, ONE.secret);
    t.teardown(() => one.close());
    const enrolled = ['13700000001', '13700000002', '13700000003'];
    await seedMany(h, enrolled);
    const first = await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [enrolled[0], enrolled[1], '13600000000', `+86 ${enrolled[0]}`, 'not a number'] });
    t.is(first.status, 200);
    t.is((await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [enrolled[2]] })).status, 200);
    const marketers = h.server.services.marketers;
    await marketers.watch.settled();

    const rows = (await h.deps.db.query(`SELECT * FROM marketer_watch_list ORDER BY id`)) as Record<string, unknown>[];
    t.deepEqual(
      rows.map((r) => [r.keyId, Number(r.size)]),
      [
        [ONE.id, 3],
        [ONE.id, 1],
      ],
      'one row per request, each holding its distinct mobiles',
    );
    const stored = JSON.stringify(rows);
    for (const n of [...enrolled, '13600000000']) t.false(stored.includes(n.slice(3)), `no ${n} in clear`);
    t.deepEqual(await h.deps.db.query(`SELECT * FROM marketer_watch`), [], 'no per-number rows');

    t.deepEqual(await eventually(async () => ((await feedNumbers(one)).length === 3 ? feedNumbers(one) : null)), enrolled);

    const retention = marketers.retention;
    await retention.runOnce(new Date(Date.now() + 30 * DAY_MS));
    t.is((await h.deps.db.query(`SELECT id FROM marketer_watch_list`)).length, 2, 'kept 30 days on');
    t.deepEqual(await feedNumbers(one), enrolled);
    await retention.runOnce(new Date(Date.now() + 32 * DAY_MS));
    t.is((await h.deps.db.query(`SELECT id FROM marketer_watch_list`)).length, 0, 'gone 32 days on');
    t.deepEqual(await feedNumbers(one), [], 'numbers no longer scrubbed leave the feed');
  });
}

test('the feed served by a second process sees what the first one scrubbed, and what the retention purged', async (t) => {
  const h = await startHarness({ env: { MARKETER_KEYS, MARKETER_RATE_LIMIT: '1000' } });
  t.teardown(() => h.close());
  // `npm start` as a second web process of the same deployment.
  const other = await startServerProcess(h.env);
  t.teardown(() => other.close());
  const otherUrl = other.url;
  const onA = new CarrierClient(h.server.url, ONE.id, ONE.secret);
  const onB = new CarrierClient(otherUrl, ONE.id, ONE.secret);
  t.teardown(() => [onA, onB].forEach((c) => c.close()));
  const [x, y] = ['13700000011', '13700000012'];
  await seedMany(h, [x, y]);

  t.deepEqual(await feedNumbers(onB), [], 'nothing scrubbed yet');
  await onA.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [x] });
  t.deepEqual(await eventually(async () => ((await feedNumbers(onB)).length ? feedNumbers(onB) : null)), [x]);
  await onA.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [y] });
  t.deepEqual(await eventually(async () => ((await feedNumbers(onB)).length === 2 ? feedNumbers(onB) : null)), [x, y], 'a later scrub is seen too');
  await h.server.services.marketers.retention.runOnce(new Date(Date.now() + 32 * DAY_MS));
  t.deepEqual(await feedNumbers(onB), [], 'the purge is seen at once');
});

for (const moments of ['distinct', 'one'] as const) {
  test(`a first poll that walks more settings changes than a page reads pages on and misses none (${moments} moment${moments === 'one' ? '' : 's'})`, async (t) => {
    const h = await startHarness({ db: 'sqlite', store: 'memory', env: { MARKETER_KEYS, MARKETER_RATE_LIMIT: '1000' } });
    t.teardown(() => h.close());
    const one = new CarrierClient(h.server.url, ONE.id, ONE.secret);
    t.teardown(() => one.close());
    const numbers = Array.from({ length: 12 }, (_, i) => String(13_700_000_100 + i));
    const ids = await seedMany(h, numbers);
    // Every subscriber changed before the key's first poll, at moments of their own or all at once.
    const base = Date.now() - 60_000;
    for (let i = 0; i < ids.length; i++) await h.deps.db.query(`UPDATE protection_settings SET updatedAt = ? WHERE subscriberId = ?`, [toSqlTime(new Date(moments === 'one' ? base : base + i * 10)), ids[i]]);
    const scrubbed = numbers.filter((_, i) => i % 3 !== 1);
    await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: scrubbed });
    const m = h.server.services.marketers;
    await m.watch.settled();
    const feed = new ChangesFeed(h.deps, { refusals: new DbRefusalSource(h.deps.db), consents: m.index, watch: m.watch }, 2000, { batch: 3, budget: 6 });
    const seen: string[] = [];
    let since = 0;
    let pages = 0;
    for (;;) {
      const p = await feed.page(ONE.id, 'loan_finance', since, 100);
      pages++;
      t.true(p.nextSince > since || !p.hasMore, 'every page moves on');
      seen.push(...p.changes.map((c) => c.number));
      since = p.nextSince;
      if (!p.hasMore) break;
      if (pages > 50) break;
    }
    t.deepEqual(seen.sort(), scrubbed, 'each scrubbed number once, no other');
    if (moments === 'distinct') t.true(pages >= 2, 'the first poll took more than one page');
  });
}

test('rows of the former per-number watch table still count until the retention ages them out', async (t) => {
  const h = await startHarness({ db: 'sqlite', store: 'memory', env: { MARKETER_KEYS, MARKETER_RATE_LIMIT: '1000' } });
  t.teardown(() => h.close());
  const one = new CarrierClient(h.server.url, ONE.id, ONE.secret);
  t.teardown(() => one.close());
  const [old, fresh] = ['13700000301', '13700000302'];
  await seedMany(h, [old, fresh]);
  // A scrub recorded by the build before marketer_watch_list: one row per number, by lookup hash.
  await h.deps.db.query(`INSERT INTO marketer_watch (keyId, phoneHash, seenAt) VALUES (?, ?, ?)`, [ONE.id, h.deps.vault.lookupHash(old), toSqlTime(new Date())]);
  await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [fresh] });
  t.deepEqual(await eventually(async () => ((await feedNumbers(one)).length === 2 ? feedNumbers(one) : null)), [old, fresh]);
  await h.server.services.marketers.retention.runOnce(new Date(Date.now() + 32 * DAY_MS));
  t.deepEqual(await h.deps.db.query(`SELECT * FROM marketer_watch`), []);
  t.deepEqual(await feedNumbers(one), []);
});
