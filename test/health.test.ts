// /healthz says the process is up; /readyz that the database and Redis answer, and says which is down.
import test from 'ava';
import { startHarness } from './support/app-harness';

test('healthz and readyz on MariaDB + Redis, and readyz turning 503 when the database is gone', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const health = await fetch(`${h.server.url}/healthz`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok' });
  // Ready once the database and Redis answer and the subscriber view is loaded (at once here: it is empty).
  let ready = await fetch(`${h.server.url}/readyz`);
  for (let i = 0; i < 100 && ready.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    ready = await fetch(`${h.server.url}/readyz`);
  }
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready', database: true, store: 'redis', subscriberView: true });

  await h.deps.db.destroy();
  const down = await fetch(`${h.server.url}/readyz`);
  t.is(down.status, 503);
  t.like(await down.json(), { status: 'not ready', database: false });
  t.is((await fetch(`${h.server.url}/healthz`)).status, 200, 'the process itself is still up');
});
