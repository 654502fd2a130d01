// The shared access token: one fetch for the whole deployment, whether the askers are separate processes
// on one Redis or many callers in one process; compare-and-expire; a dead lock holder; a failed fetch.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import type { Store } from '../app/store';
import { WechatTokenError } from '../app/wechat/api-errors';
import { WechatClient } from '../app/wechat/api-client';
import { keepMs, TokenStore } from '../app/wechat/token-store';
import { createTestStore, TEST_REDIS_URL, testRedisPrefix } from './support/backends';
import { FAKE_APP, startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-api';

async function setup(t: ExecutionContext, kind: 'redis' | 'memory', prefix = testRedisPrefix()) {
  const fake = await startFakeWechatApi();
  const store = await createTestStore(kind, prefix);
  t.teardown(async () => {
    await store.del(`wx:token:${FAKE_APP.appId}`);
    await store.close();
    await fake.close();
  });
  return { fake, state: fake.state, store };
}

const clientOn = (fake: FakeWechatApi, store: Store, extra: Partial<ConstructorParameters<typeof WechatClient>[0]> = {}) =>
  new WechatClient({ appId: FAKE_APP.appId, appSecret: FAKE_APP.appSecret, apiBase: fake.baseUrl, store, ...extra });

interface ChildAnswer {
  tokens?: string[];
  stats?: { fetches: number; waits: number };
  error?: string;
}

function startTokenProcess(env: Record<string, string>) {
  const script = path.join(__dirname, 'support', 'token-process.js');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const lines = readline.createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else queue.push(line);
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      waiters.push(resolve);
      child.once('exit', (code) => reject(new Error(`token process exited (${code}): ${stderr}`)));
    });
  return { child, nextLine };
}

test('two processes on one Redis asking at once cause exactly one token fetch', async (t) => {
  const prefix = testRedisPrefix();
  const { fake, state } = await setup(t, 'redis', prefix);
  state.delayMs = 300; // a slow WeChat: the second process surely arrives while the first is fetching
  const env = { WX_API_BASE: fake.baseUrl, WX_APPID: FAKE_APP.appId, WX_SECRET: FAKE_APP.appSecret, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, CALLERS: '5' };
  const procs = [startTokenProcess(env), startTokenProcess(env)];
  t.teardown(() => procs.forEach((p) => p.child.kill()));
  t.deepEqual(await Promise.all(procs.map((p) => p.nextLine())), ['ready', 'ready']);
  for (const p of procs) p.child.stdin.write('go\n');
  const answers = (await Promise.all(procs.map((p) => p.nextLine()))).map((l) => JSON.parse(l) as ChildAnswer);

  t.deepEqual(
    answers.map((a) => a.error),
    [undefined, undefined],
  );
  t.is(state.counters.tokenFetches, 1);
  const all = answers.flatMap((a) => a.tokens!);
  t.is(all.length, 10);
  t.is(new Set(all).size, 1, 'every caller in both processes holds the same token');
  t.deepEqual(answers.map((a) => a.stats!.fetches).sort(), [0, 1], 'one process fetched, the other used its token');
});

for (const kind of ['redis', 'memory'] as const) {
  test(`${kind}: thirty callers through three clients in one process: one fetch, one token`, async (t) => {
    const { fake, state, store } = await setup(t, kind);
    state.delayMs = 100;
    const clients = [clientOn(fake, store), clientOn(fake, store), clientOn(fake, store)];
    const tokens = await Promise.all(clients.flatMap((c) => Array.from({ length: 10 }, () => c.tokens.getToken())));
    t.is(state.counters.tokenFetches, 1);
    t.is(new Set(tokens).size, 1);
    t.is(await store.get(`wx:token:${FAKE_APP.appId}`), tokens[0]);
  });

  test(`${kind}: invalidate is compare-and-expire: a stale token never removes a fresh one`, async (t) => {
    const { fake, state, store } = await setup(t, kind);
    const a = clientOn(fake, store);
    const stale = await a.tokens.getToken();
    state.revokeTokens();
    t.true(await a.tokens.invalidate(stale));
    const fresh = await a.tokens.getToken();
    t.not(fresh, stale);
    // A second process that saw 40001 with the old token only now reports it: the fresh token stays.
    t.false(await clientOn(fake, store).tokens.invalidate(stale));
    t.is(await a.tokens.getToken(), fresh);
    t.is(state.counters.tokenFetches, 2);
  });

  test(`${kind}: a lock left by a dead process is outlived, then one fetch happens`, async (t) => {
    const { fake, state, store } = await setup(t, kind);
    await store.set(`wx:token-lock:${FAKE_APP.appId}`, 'dead-owner', { nx: true, ttlMs: 400 });
    const c = clientOn(fake, store, { tokenLock: { lockTtlMs: 400, waitMs: 5_000, pollMs: 20 } });
    const token = await c.tokens.getToken();
    t.regex(token, /^SIM_/);
    t.is(state.counters.tokenFetches, 1);
    t.is(c.tokens.stats.waits, 1);
  });

  test(`${kind}: a caller gives up (bounded) when the lock holder never delivers`, async (t) => {
    const { fake, state, store } = await setup(t, kind);
    await store.set(`wx:token-lock:${FAKE_APP.appId}`, 'stuck-owner', { nx: true, ttlMs: 60_000 });
    t.teardown(() => store.del(`wx:token-lock:${FAKE_APP.appId}`));
    const c = clientOn(fake, store, { tokenLock: { waitMs: 300, pollMs: 20 } });
    await t.throwsAsync(c.tokens.getToken(), { instanceOf: WechatTokenError });
    t.is(state.counters.tokenFetches, 0);
  });

  test(`${kind}: when the fetch fails, waiting callers get that failure instead of fetching again`, async (t) => {
    const { fake, state, store } = await setup(t, kind);
    state.delayMs = 200;
    const wrong = { appSecret: 'wrong-secret-000000000' };
    const [a, b] = [clientOn(fake, store, wrong), clientOn(fake, store, wrong)];
    const results = await Promise.allSettled([a.tokens.getToken(), b.tokens.getToken()]);
    for (const r of results) {
      t.is(r.status, 'rejected');
      const reason = (r as PromiseRejectedResult).reason;
      t.true(reason instanceof WechatTokenError);
      t.is(reason.errcode, 40125);
    }
    t.is(state.counters.tokenFetches, 1);
  });
}

test('the token is kept for expires_in minus a 300 s margin', async (t) => {
  const { fake, store } = await setup(t, 'redis');
  await clientOn(fake, store).tokens.getToken();
  const ttl = await store.ttl(`wx:token:${FAKE_APP.appId}`);
  t.true(ttl > 6_800_000 && ttl <= 6_900_000, `ttl ${ttl}`);
  t.is(keepMs(7200), 6_900_000);
  t.is(keepMs(120), 60_000, 'a short-lived token is kept half its life rather than not at all');
});

test('a failed fetch leaves nothing behind: the next call fetches again', async (t) => {
  const store = await createTestStore('memory');
  t.teardown(() => store.close());
  let calls = 0;
  const ts = new TokenStore({
    store,
    appId: 'wxunit',
    fetch: async () => {
      calls++;
      if (calls === 1) throw new WechatTokenError('busy', -1);
      return { accessToken: 'T2', expiresIn: 7200 };
    },
  });
  await t.throwsAsync(ts.getToken(), { instanceOf: WechatTokenError });
  t.is(await ts.getToken(), 'T2');
  t.is(calls, 2);
});
