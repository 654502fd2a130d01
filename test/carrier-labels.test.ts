// The incremental label feed a network's edge copy follows: signed like the rest, paged in version order,
// tombstones for removals, and a later poll from the last cursor sees only what changed since.
import test from 'ava';
import { LabelService } from '../app/labels/service';
import { startCarrierServer } from './support/carrier-server';

for (const [db, store] of [
  ['mariadb', 'redis'],
  ['sqlite', 'memory'],
] as const) {
  test(`${db}+${store}: the label feed pages through changes and tombstones`, async (t) => {
    const s = await startCarrierServer({ db, store });
    t.teardown(() => s.close());
    const labels = new LabelService(s.deps.db);
    const at = new Date('2025-11-20T00:00:00.000Z');
    await labels.importBatch(
      [
        { number: '4001234567', category: 'loan_finance', confidence: 0.9 },
        { number: '+86 139 1234 5678', category: 'insurance', confidence: 0.7, expiresAt: new Date('2026-05-20T00:00:00.000Z') },
        { number: '02187654321', category: 'real_estate', confidence: 0.6 },
      ],
      { at },
    );
    await labels.setByOperator('95512345', 'fraud', 1, { at });
    const c = s.client();

    const all: any[] = [];
    let since = 0;
    let pages = 0;
    for (;;) {
      const r = await c.get(`/carrier/v1/labels?since=${since}&limit=2`);
      t.is(r.status, 200);
      all.push(...r.json.labels);
      pages++;
      since = r.json.nextSince;
      if (!r.json.hasMore) break;
    }
    t.is(pages, 2);
    t.deepEqual(
      all.map((l) => [l.number, l.category, l.removed]),
      [
        ['4001234567', 'loan_finance', false],
        ['13912345678', 'insurance', false],
        ['02187654321', 'real_estate', false],
        ['95512345', 'fraud', false],
      ],
    );
    const versions = all.map((l) => l.version);
    t.deepEqual([...versions].sort((a, b) => a - b), versions);
    t.is(since, versions[3]);
    t.like(all[1], { source: 'import', confidence: 0.7, lastSeen: '2025-11-20T00:00:00.000Z', expiresAt: '2026-05-20T00:00:00.000Z' });
    t.like(all[3], { source: 'operator', confidence: 1, expiresAt: null });

    // Nothing new: an empty page that keeps the cursor.
    const idle = await c.get(`/carrier/v1/labels?since=${since}`);
    t.deepEqual(idle.json, { labels: [], nextSince: since, hasMore: false });

    // A removal reaches the edge as a tombstone, after the cursor.
    t.is(await labels.clear('4001234567', 'loan_finance'), 1);
    const after = await c.get(`/carrier/v1/labels?since=${since}`);
    t.is(after.json.labels.length, 1);
    t.like(after.json.labels[0], { number: '4001234567', category: 'loan_finance', removed: true });
    t.true(after.json.nextSince > since);
    t.false(after.json.hasMore);
  });
}
