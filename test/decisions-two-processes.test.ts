// Two server processes (`node dist/app/main.js`, as `npm start` runs them) on one MariaDB and one Redis: a
// bomber whose calls are spread over both is caught by both within about a second, though neither saw
// enough calls alone.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PhoneBinding, Subscriber } from '../entities';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { ProtectionService } from '../app/settings/protection-service';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix } from './support/backends';
import { CarrierClient } from './support/carrier-client';

const MAIN = path.join(__dirname, '../app/main.js');
const KEY = { id: 'net-2p', secret: 'secret-of-two-processes' };

function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-2p-'));
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = out.match(/is running: (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

test('a bomber spread over two server processes is caught by both', async (t) => {
  const { url: dbUrl, drop } = await createDatabaseUrl('mariadb');
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    ROLE: 'web',
    DATABASE_URL: dbUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    CARRIER_KEYS: `${KEY.id}:${KEY.secret}`,
    BEHAVIOUR_HIGH_FREQUENCY_CALLS: '50',
  };
  const children: ChildProcess[] = [];
  const clients: CarrierClient[] = [];
  t.teardown(async () => {
    for (const c of clients) c.agent.destroy();
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : (c.once('exit', r), c.kill('SIGTERM'))))));
    await drop();
  });
  // The first one migrates; the second starts on the migrated database.
  const one = await startProcess(env);
  children.push(one.child);
  const two = await startProcess(env);
  children.push(two.child);
  const a = new CarrierClient(one.url, KEY.id, KEY.secret);
  const b = new CarrierClient(two.url, KEY.id, KEY.secret);
  clients.push(a, b);

  // One enrolled subscriber, written as the binding flow writes it.
  const deps = await openDeps(loadConfig(env), { migrate: false });
  const callee = '13750000001';
  try {
    const now = new Date();
    const { identifiers } = await deps.db.getRepository(Subscriber).insert({ openid: 'o-2p', subscribed: true, subscribedAt: now, wechatPushBlocked: false, createdAt: now, updatedAt: now });
    const id = identifiers[0].id as number;
    await deps.db.getRepository(PhoneBinding).insert({ subscriberId: id, phoneHash: deps.vault.lookupHash(callee), phoneCipher: deps.vault.encrypt(callee), source: 'wechat', verifiedAt: now });
    await new ProtectionService(deps.db, deps.store).enable(id, { actor: 'subscriber', channel: 'wechat' });
  } finally {
    await closeDeps(deps);
  }

  const caller = '17050000001';
  // Asked as dry runs: the polling itself must not add calls (each process alone would cross 50).
  const screen = async (c: CarrierClient) => (await c.post('/carrier/v1/screen', { caller, callee, dryRun: true })).json;
  t.deepEqual(await screen(a), { action: 'allow', reason: 'default' });
  const spread = (k: number) => Array.from({ length: 30 }, (_, i) => ({ caller, callee: `136500${k}${String(i).padStart(4, '0')}` }));
  // 30 calls through each process: under 50 in either, 60 together.
  t.is((await a.post('/carrier/v1/screen/batch', { calls: spread(1) })).status, 200);
  t.is((await b.post('/carrier/v1/screen/batch', { calls: spread(2) })).status, 200);
  const started = Date.now();
  const caught = async (c: CarrierClient) => {
    for (;;) {
      const d = await screen(c);
      if (d.reason === 'high_frequency' || Date.now() - started > 5000) return { d, ms: Date.now() - started };
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const [onA, onB] = await Promise.all([caught(a), caught(b)]);
  t.deepEqual(onA.d, { action: 'block', reason: 'high_frequency' });
  t.deepEqual(onB.d, { action: 'block', reason: 'high_frequency' });
  t.log(`caught after ${onA.ms} ms (first process) and ${onB.ms} ms (second)`);
});
