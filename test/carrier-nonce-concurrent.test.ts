// Nonce claims of concurrent requests leave the server together (node-redis pipelines the commands of one
// tick, and the rate budget no longer puts a promise between them): one claim per nonce still wins, and
// only one. (While Redis misses the claim's 30 ms deadline the process-local window answers instead, and
// a claim Redis granted a moment earlier is not known there — the documented price of failing open, see
// app/store/fallback-store.ts — so the count is asserted only when no claim fell back.)
import test from 'ava';
import { storeFallbacks } from '../app/store/metrics';
import { startCarrierServer } from './support/carrier-server';

async function carrierFallbacks(): Promise<number> {
  return (await storeFallbacks.get()).values.filter((v) => v.labels.use === 'carrier').reduce((sum, v) => sum + v.value, 0);
}

for (const store of ['redis', 'memory'] as const) {
  test(`${store}: the same nonce sent on many connections at once is admitted once`, async (t) => {
    const s = await startCarrierServer({ db: 'sqlite', store });
    t.teardown(() => s.close());
    const c = s.client(32);
    const call = { caller: '4001234567', callee: '13800138000' };
    const ts = Math.floor(Date.now() / 1000);
    const fallbacksBefore = await carrierFallbacks();
    const answers = await Promise.all(Array.from({ length: 32 }, () => c.post('/carrier/v1/screen', call, { nonce: 'one-nonce-for-all', timestamp: ts })));
    const batchReplay = await Promise.all(Array.from({ length: 8 }, () => c.post('/carrier/v1/screen/batch', { calls: [call] }, { nonce: 'one-batch-nonce', timestamp: ts })));
    const refused = answers.filter((r) => r.status !== 200);
    for (const r of refused) t.deepEqual(r.json, { error: 'nonce_reused', message: 'X-Nonce was already used within the timestamp window' });
    t.true(refused.length >= 30, `${refused.length} of 32 refused`);
    if ((await carrierFallbacks()) === fallbacksBefore) {
      t.is(answers.filter((r) => r.status === 200).length, 1);
      t.is(batchReplay.filter((r) => r.status === 200).length, 1);
    } else t.log('Redis missed the claim deadline meanwhile (a loaded machine): the exact count is not asserted this time');
  });

  test(`${store}: many fresh nonces at once are all admitted`, async (t) => {
    const s = await startCarrierServer({ db: 'sqlite', store });
    t.teardown(() => s.close());
    const c = s.client(32);
    const answers = await Promise.all(Array.from({ length: 200 }, () => c.post('/carrier/v1/screen', { caller: '4001234567', callee: '13800138000' })));
    t.deepEqual(
      answers.map((r) => r.status),
      answers.map(() => 200),
    );
    t.deepEqual(answers[0].json, { action: 'allow', reason: 'not_enrolled' });
  });
}
