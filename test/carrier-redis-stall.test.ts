// Redis that stops answering (a stalled server, a dead link with no RST) must not hold the carrier API's
// requests: node-redis' per-command timers are off for speed, so our own deadline is what bounds them.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { CommandTimeout, RedisStore } from '../app/store/redis-store';
import { testRedisPrefix } from './support/backends';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15');

// A TCP relay to the real Redis that can be told to swallow everything from then on.
async function stallableRelay() {
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(REDIS.port || 6379), REDIS.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d) => stalled || upstream.write(d));
    upstream.on('data', (d) => stalled || client.write(d));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}${REDIS.pathname}`,
    stall: () => (stalled = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

test('a nonce claim on a stalled Redis fails with a timeout instead of hanging, and answers normally before', async (t) => {
  const relay = await stallableRelay();
  const store = await RedisStore.connect(relay.url, { prefix: testRedisPrefix() });
  t.teardown(async () => {
    await relay.close();
    await Promise.race([store.close(), new Promise((r) => setTimeout(r, 1000))]);
  });

  t.true(await store.set('carrier:nonce:k:abcdefgh', '1', { nx: true, ttlMs: 60_000 }));
  t.false(await store.set('carrier:nonce:k:abcdefgh', '1', { nx: true, ttlMs: 60_000 }), 'a reused nonce is still refused');

  relay.stall();
  const claim = store.set('carrier:nonce:k:ijklmnop', '1', { nx: true, ttlMs: 60_000 });
  const outcome = await Promise.race([
    claim.then(
      () => 'answered',
      (err: Error) => (err instanceof CommandTimeout ? 'timed out' : `failed: ${err.message}`),
    ),
    new Promise<string>((r) => setTimeout(() => r('still waiting after 15 s'), 15_000).unref()),
  ]);
  t.is(outcome, 'timed out');
  t.is(await store.ping(), false, 'readiness reports the store down rather than hanging');
});
