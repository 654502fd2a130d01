// The per-key budget across processes: two limiters on one store (two server processes) together never
// admit more than the limit in a window, and waste at most a block each.
import test from 'ava';
import { CarrierRateLimiter } from '../app/carrier/rate-limit';
import { createTestStore } from './support/backends';

for (const kind of ['redis', 'memory'] as const) {
  test(`${kind}: two processes share one budget per key and window`, async (t) => {
    const store = await createTestStore(kind);
    t.teardown(() => store.close());
    const a = new CarrierRateLimiter(store, 2000);
    const b = new CarrierRateLimiter(store, 2000);
    t.is(a.block, 2);
    const now = 1_800_000_000_250; // a fixed instant: one window, 750 ms before the next
    let admitted = 0;
    const refusals: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const verdicts = await Promise.all([a.hit('net-a', now), b.hit('net-a', now)]);
      for (const v of verdicts) v.ok ? admitted++ : refusals.push(v.retryAfterSec);
    }
    t.true(admitted <= 2000, `${admitted} admitted`);
    t.true(admitted >= 2000 - 2 * (a.block - 1), `${admitted} admitted`);
    t.is(refusals.length, 3000 - admitted);
    t.true(refusals.every((s) => s === 1));
    // Another key, and the next window, start afresh.
    t.deepEqual(await a.hit('net-b', now), { ok: true });
    t.deepEqual(await b.hit('net-a', now + 1000), { ok: true });
  });

  test(`${kind}: a small limit is counted exactly`, async (t) => {
    const store = await createTestStore(kind);
    t.teardown(() => store.close());
    const a = new CarrierRateLimiter(store, 5);
    const b = new CarrierRateLimiter(store, 5);
    const now = 1_800_000_100_900;
    const verdicts = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).hit('net-a', now)));
    t.is(verdicts.filter((v) => v.ok).length, 5);
  });
}
