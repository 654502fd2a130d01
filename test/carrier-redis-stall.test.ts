// The store layer against a redis-server of the test's own that stops answering (SIGSTOP) or goes away:
// a command waits no longer than its caller's deadline, a stall is recognised and later commands fail at
// once instead of each waiting out its deadline, readiness says so without hanging, the store comes back
// by itself; and the carrier's fail-open window (FallbackStore) answers locally, then writes back.
import test from 'ava';
import { FallbackStore } from '../app/store/fallback-store';
import { CommandTimeout, RedisStore, StoreUnavailable } from '../app/store/redis-store';
import { registry } from '../app/metrics';
import { eventually } from './support/app-harness';
import { testRedisPrefix } from './support/backends';
import { startRedisServer } from './support/redis-process';
import { startTcpProxy } from './support/tcp-proxy';

const settle = async <T>(p: Promise<T>) =>
  Promise.race([
    p.then(
      () => 'answered',
      (err: Error) => (err instanceof CommandTimeout ? 'timed out' : err instanceof StoreUnavailable ? 'unavailable' : `failed: ${err.message}`),
    ),
    new Promise<string>((r) => setTimeout(() => r('still waiting after 5 s'), 5000).unref()),
  ]);

test('a stalled Redis: the caller’s deadline holds, the stall is recognised, commands then fail at once, and it recovers by itself', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.close());
  const health: string[] = [];
  const store = await RedisStore.connect(redis.url, { prefix: testRedisPrefix(), commandTimeoutMs: 800, onHealth: (up) => health.push(up ? 'up' : 'down') });
  t.teardown(async () => {
    redis.resume();
    await store.close();
  });

  t.true(await store.set('carrier:nonce:k:abcdefgh', '1', { nx: true, ttlMs: 60_000 }));
  t.false(await store.set('carrier:nonce:k:abcdefgh', '1', { nx: true, ttlMs: 60_000 }), 'a reused nonce is still refused');

  redis.stall();
  const started = Date.now();
  t.is(await settle(store.set('carrier:nonce:k:ijklmnop', '1', { nx: true, ttlMs: 60_000, timeoutMs: 30 })), 'timed out');
  t.true(Date.now() - started < 1000, 'within the caller’s 30 ms, not the 800 ms default');
  await eventually(() => health.includes('down'), 10_000);
  const fast = Date.now();
  t.is(await settle(store.get('anything')), 'unavailable', 'known down: refused without waiting');
  t.true(Date.now() - fast < 200);
  t.false(await store.ping(), 'readiness reports the store down rather than hanging');

  redis.resume();
  await eventually(() => health.at(-1) === 'up', 10_000);
  t.is(await store.get('carrier:nonce:k:abcdefgh'), '1', 'the same data, answered again');
});

// Serial: the gauge is the process's, and the other tests here open stores of their own.
test.serial('fsr_store_up reads 0 while any store of the process is down, whatever another store does meanwhile', async (t) => {
  const gauge = async () => (await registry.getSingleMetric('fsr_store_up')!.get()).values[0]?.value;
  const stalled = await startRedisServer();
  const healthy = await startRedisServer();
  t.teardown(() => Promise.all([stalled.close(), healthy.close()]));
  const health: string[] = [];
  const down = await RedisStore.connect(stalled.url, { prefix: testRedisPrefix(), commandTimeoutMs: 100, onHealth: (up) => health.push(up ? 'up' : 'down') });
  t.teardown(async () => {
    stalled.resume();
    await down.close();
  });
  t.is(await gauge(), 1);
  stalled.stall();
  await settle(down.get('anything', { timeoutMs: 30 }));
  await eventually(() => health.includes('down'), 10_000);
  t.is(await gauge(), 0);
  // Another store opening (a second server in the process, a reconnection) must not hide the outage.
  const up = await RedisStore.connect(healthy.url, { prefix: testRedisPrefix() });
  t.is(await up.get('anything'), null);
  t.is(await gauge(), 0, 'still down: one store of the process is');
  stalled.resume();
  await down.close();
  t.is(await gauge(), 1, 'the store that was down is closed; the one left answers');
  await up.close();
});

test('Redis gone: commands fail at once while disconnected (no offline queue); a restart on the same port is picked up', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.close());
  const store = await RedisStore.connect(redis.url, { prefix: testRedisPrefix() });
  t.teardown(() => store.close());
  await redis.shutdown();
  const started = Date.now();
  t.not(await settle(store.set('k', 'v')), 'answered');
  t.true(Date.now() - started < 500, 'failed fast');
  await redis.restart();
  await eventually(async () => (await store.set('k', 'v').catch(() => false)) === true, 5000);
  t.is(await store.get('k'), 'v');
});

test('the fail-open window: claims made while Redis is stalled are refused locally on reuse, and written back once it answers', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.close());
  const prefix = testRedisPrefix();
  const store = await RedisStore.connect(redis.url, { prefix });
  const other = await RedisStore.connect(redis.url, { prefix }); // another process's view
  const fast = new FallbackStore(store, { use: 'test', timeoutMs: 30 });
  t.teardown(async () => {
    redis.resume();
    await fast.close();
    await store.close();
    await other.close();
  });

  redis.stall();
  t.true(await fast.set('nonce:a', '1', { nx: true, ttlMs: 60_000 }), 'first use: admitted from the local window');
  t.false(await fast.set('nonce:a', '1', { nx: true, ttlMs: 60_000 }), 'reuse: refused locally');
  t.is(await fast.incr('rate:1', 2000), 1, 'the rate budget counts locally');
  redis.resume();
  await eventually(() => fast.flush(), 5000);
  t.false(await other.set('nonce:a', '1', { nx: true, ttlMs: 60_000 }), 'after the write-back every process sees the nonce as used');
  const ttl = await other.ttl('nonce:a');
  t.true(ttl > 50_000 && ttl <= 60_000, 'with what was left of its window');

  // Redis misses a deadline again: this process still knows its own claim.
  redis.stall();
  t.false(await fast.set('nonce:a', '1', { nx: true, ttlMs: 60_000 }), 'a nonce this process spent stays spent through the next outage');
  redis.resume();
});

test('the fail-open window: a replay sent while the first claim is in flight is refused, even when Redis answers the first in time and misses the replay’s deadline', async (t) => {
  const redis = await startRedisServer();
  t.teardown(() => redis.close());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
  t.teardown(() => proxy.close());
  const url = new URL(redis.url);
  url.port = String(proxy.port);
  const store = await RedisStore.connect(url.toString(), { prefix: testRedisPrefix() });
  const fast = new FallbackStore(store, { use: 'test', timeoutMs: 300 });
  t.teardown(async () => {
    proxy.resume();
    await fast.close();
    await store.close();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  proxy.pause();
  const first = fast.set('nonce:inflight', '1', { nx: true, ttlMs: 60_000 });
  await sleep(100);
  const replay = fast.set('nonce:inflight', '1', { nx: true, ttlMs: 60_000 });
  await sleep(50);
  // Only the first claim reaches Redis and only its answer comes back; the replay's command stays held
  // until its deadline has passed.
  t.true(proxy.step('up'), 'the first claim is held in the relay');
  await eventually(() => proxy.step('down'), 1000);
  t.true(await first, 'the first use: admitted by Redis in time');
  t.false(await replay, 'the replay: refused, not admitted from the local window');
  proxy.resume();
  t.false(await fast.set('nonce:inflight', '1', { nx: true, ttlMs: 60_000 }), 'and refused by Redis afterwards');
});
