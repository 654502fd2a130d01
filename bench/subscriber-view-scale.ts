// The subscriber view at 10 million (or N) subscribers: memory and time to ready of a cold process.
// Not part of `npm run bench` (it writes 10M rows: minutes on a shared 2-core machine); run it once with
// `node dist/bench/subscriber-view-scale.js [N]`. It fills what a cold process reads — subscriber_view,
// the bindings (sealed and hashed, as every writer leaves them: the view opens each number) and the
// customised subscribers' settings — directly, for N distinct mobiles, 98% on the protective default and 2%
// customised (with a settings row each), then starts the carrier server process in its cold mode and
// reports what it measured at ready.
import crypto from 'node:crypto';
import { fork } from 'node:child_process';
import path from 'node:path';
import { openDatabase } from '../app/db/datasource';
import { bulkInsert } from '../app/binding/bulk-insert';
import { allocateVersions, SUBSCRIBER_SEQUENCE } from '../app/labels/sql';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix } from '../test/support/backends';
import { dropRedisPrefix } from './redis-prefix';
import { PhoneVault } from '../app/privacy/phone-vault';
import { viewKeyOf } from '../app/protection/subscriber-profile';
import type { ViewLoadReport } from './carrier-services';

export async function subscriberViewAtScale(n: number): Promise<{ subscribers: number; fillSeconds: number; view: ViewLoadReport }> {
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  try {
    const ds = await openDatabase(db.url, { migrate: true });
    const started = Date.now();
    const dataKey = crypto.randomBytes(32);
    const vault = new PhoneVault(dataKey);
    const chunk = 500_000;
    const modes = JSON.stringify({ insurance: 'block', loan_finance: 'block', securities: 'allow', real_estate: 'allow', education: 'allow' });
    for (let from = 0; from < n; from += chunk) {
      const count = Math.min(chunk, n - from);
      await ds.transaction(async (m) => {
        const first = await allocateVersions(m, count, SUBSCRIBER_SEQUENCE);
        const rows: (number | string)[][] = [];
        const bindings: (number | string)[][] = [];
        const custom: (number | string)[][] = [];
        for (let i = 0; i < count; i++) {
          const id = from + i + 1;
          const phone = String(13_000_000_000 + id * 7);
          const hash = vault.lookupHash(phone);
          const { key, check } = viewKeyOf(hash);
          bindings.push([id, hash, vault.encrypt(phone), 'import', '2026-01-01 00:00:00.000']);
          const customised = id % 50 === 0;
          rows.push([key, check, id, customised ? 3 : 1, first + i]);
          if (customised) custom.push([id, 1, 0, '2026-01-01 00:00:00.000', modes, '{}', '{}', '{}', 2, '2026-01-01 00:00:00.000']);
        }
        rows.sort((a, b) => (a[0] as number) - (b[0] as number));
        await bulkInsert(m, 'phone_binding', ['subscriberId', 'phoneHash', 'phoneCipher', 'source', 'verifiedAt'], bindings);
        await bulkInsert(m, 'subscriber_view', ['hashKey', 'hashCheck', 'subscriberId', 'profile', 'version'], rows, { replace: true });
        await bulkInsert(m, 'protection_settings', ['subscriberId', 'enabled', 'paused', 'enabledAt', 'categoryModes', 'behaviour', 'notices', 'options', 'version', 'updatedAt'], custom);
      });
      console.log(`filled ${from + count} of ${n} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await ds.destroy();
    const fillSeconds = (Date.now() - started) / 1000;
    const child = fork(path.join(__dirname, 'carrier-server-process.js'), [], {
      env: { ...process.env, BENCH_MODE: 'cold', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_KEY: dataKey.toString('base64'), CARRIER_KEYS: 'scale:0123456789abcdef0123', LOG_LEVEL: 'warn', NODE_ENV: 'development' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const m = await new Promise<{ view: ViewLoadReport }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const result = { subscribers: n, fillSeconds, view: m.view };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    await db.drop();
    await dropRedisPrefix(prefix);
  }
}

if (require.main === module) {
  subscriberViewAtScale(Number(process.argv[2] ?? 10_000_000)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
