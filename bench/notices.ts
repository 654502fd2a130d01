// Notices end to end: interceptions POSTed to /carrier/v1/interceptions (scheduled in the same
// transaction), drained by 1 and then 2 worker processes into a fake WeChat API that answers in 20 ms.
// Figures: time to drain (first POST → every notice final), notices/s, database rows written/s, and how
// late notices went out after being due. Aim: 100,000 interceptions for 10,000 subscribers drained in
// under 60 s with 2 workers.
//
// Digest windows are shortened (60 "minutes" = 2 s) so that the digests folded during the run fall inside
// it; otherwise the drain would end an hour later by design.
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { In, IsNull, Not } from 'typeorm';
import { loadConfig } from '../app/config';
import { openDatabase } from '../app/db/datasource';
import type { Deps } from '../app/deps';
import { createLogger } from '../app/log';
import { PhoneVault } from '../app/privacy/phone-vault';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions } from '../app/protection/preferences';
import { startServer, type RunningServer } from '../app/server';
import { openStore } from '../app/store';
import { Interception, Notice, NoticeItem, PhoneBinding, ProtectionSettings, Subscriber, WechatMessage } from '../entities';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix } from '../test/support/backends';
import { CarrierClient } from '../test/support/carrier-client';
import { FAKE_APP, startFakeWechatApi } from '../test/support/fake-wechat-api';
import { dropRedisPrefix } from './redis-prefix';

export interface NoticesBenchOptions {
  interceptions?: number;
  subscribers?: number;
  /** How long the fake WeChat API takes to answer each call. */
  answerMs?: number;
  /** Worker process counts to measure, one fresh database each. */
  workers?: number[];
  /** Events per POST (the contract allows up to 1000) and POSTs in flight. */
  batch?: number;
  concurrency?: number;
  /**
   * bursts: each subscriber's calls arrive together (one notice at once, one digest), so every run makes
   * the same notices however fast it ingests; spread: calls land on subscribers at random all along.
   */
  pattern?: 'bursts' | 'spread';
}

export interface NoticesRun {
  workers: number;
  pattern: 'bursts' | 'spread';
  interceptions: number;
  subscribers: number;
  notices: { total: number; sent: number; uncertain: number; failed: number; intercept: number; digest: number };
  /** First POST to the last interception accepted. */
  ingestSec: number;
  interceptionsPerSec: number;
  /** First POST to every notice final. */
  drainSec: number;
  noticesPerSec: number;
  /** interception + notice_item + notice + wechat_message rows written, per second of drain. */
  dbRows: number;
  dbRowsPerSec: number;
  /** From due to sent, over every notice sent. */
  lagMs: { p50: number; p99: number; max: number };
  wechatReceived: number;
}

export interface NoticesBenchResult {
  name: 'notices';
  answerMs: number;
  digestWindowMs: number;
  runs: NoticesRun[];
}

const KEY = { id: 'bench-notices', secret: crypto.randomBytes(24).toString('hex') };
const MINUTE_MS = 2000 / 60; // a 60-minute digest window lasts 2 s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);


async function seedSubscribers(deps: Deps, count: number, follow: (openid: string) => void): Promise<string[]> {
  const now = new Date();
  const tag = crypto.randomBytes(3).toString('hex');
  const phones: string[] = [];
  for (const part of chunks(Array.from({ length: count }, (_, i) => i), 1000)) {
    const openids = part.map((i) => `o_bench_${tag}_${i}`.padEnd(28, 'x'));
    await deps.db.createQueryBuilder().insert().into(Subscriber).values(openids.map((openid) => ({ openid, subscribed: true, subscribedAt: now, unsubscribedAt: null, wechatPushBlocked: false, createdAt: now, updatedAt: now }))).execute();
    const subs = await deps.db.getRepository(Subscriber).find({ select: { id: true, openid: true }, where: { openid: In(openids) } });
    const bindings = subs.map((s, k) => {
      const phone = `139${String(part[0] + k).padStart(8, '0')}`;
      phones.push(phone);
      follow(s.openid!);
      return { subscriberId: s.id, phoneHash: deps.vault.lookupHash(phone), phoneCipher: deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now };
    });
    await deps.db.createQueryBuilder().insert().into(PhoneBinding).values(bindings).execute();
    await deps.db
      .createQueryBuilder()
      .insert()
      .into(ProtectionSettings)
      .values(subs.map((s) => ({ subscriberId: s.id, enabled: true, paused: false, enabledAt: now, categoryModes: defaultCategoryModes(), behaviour: { ...defaultBehaviour() }, notices: { ...defaultNotices() }, options: { ...defaultOptions() }, version: 1, updatedAt: now })) as never)
      .execute();
  }
  return phones;
}

async function spawnWorker(env: Record<string, string>, name: string): Promise<ChildProcess> {
  const script = path.join(__dirname, '..', 'test', 'support', 'notice-worker-process.js');
  const opts = { owner: name, batch: 64, lanes: 4, idleMs: 20, ratePerSecond: 1_000_000, wechatTimeoutMs: 5000, retentionEveryMs: 0 };
  const child = fork(script, [JSON.stringify(opts)], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function runOnce(workers: number, o: Required<NoticesBenchOptions>): Promise<NoticesRun> {
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const wechat = await startFakeWechatApi();
  wechat.state.maxMessages = 10_000_000;
  wechat.state.delayMs = o.answerMs;
  const env: Record<string, string> = {
    DATABASE_URL: `${db.url}${db.url.includes('?') ? '&' : '?'}pool=20`,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    WECHAT_APPID: FAKE_APP.appId,
    WECHAT_APPSECRET: FAKE_APP.appSecret,
    WECHAT_API_BASE: wechat.baseUrl,
    WECHAT_TEMPLATE_INTERCEPT: FAKE_APP.templateIntercept,
    WECHAT_TEMPLATE_ENABLED: FAKE_APP.templateEnabled,
    CARRIER_KEYS: `${KEY.id}:${KEY.secret}`,
    CARRIER_RATE_LIMIT: '1000000000',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const ds = await openDatabase(config.databaseUrl, { migrate: true });
  const store = await openStore(TEST_REDIS_URL, { prefix });
  const deps: Deps = { config, log: createLogger('warn'), db: ds, store, vault: new PhoneVault(config.dataKey) };
  const children: ChildProcess[] = [];
  let server: RunningServer | null = null;
  let client: CarrierClient | null = null;
  try {
    const phones = await seedSubscribers(deps, o.subscribers, (openid) => wechat.state.follow(openid));
    // The application as `npm start` assembles it (workers apart: they run in their own processes here),
    // with a screen that allows everything: only the interceptions' route and what follows are measured.
    server = await startServer(deps, {
      port: 0,
      host: '127.0.0.1',
      workers: false,
      noticePolicy: { now: () => new Date(), minuteMs: MINUTE_MS },
      replace: { screen: { screen: async () => ({ action: 'allow', reason: 'default' }), screenBatch: async (c) => c.map(() => ({ action: 'allow' as const, reason: 'default' })) }, labels: { changesSince: async () => [] } },
    });
    client = new CarrierClient(`http://127.0.0.1:${server.port}`, KEY.id, KEY.secret, o.concurrency);
    for (let i = 0; i < workers; i++) children.push(await spawnWorker(env, `bench-worker-${i + 1}`));

    const tag = crypto.randomBytes(3).toString('hex');
    const perSubscriber = Math.ceil(o.interceptions / phones.length);
    const calleeOf = (i: number) => (o.pattern === 'bursts' ? phones[Math.floor(i / perSubscriber) % phones.length] : phones[crypto.randomInt(phones.length)]);
    const bodies = chunks(
      Array.from({ length: o.interceptions }, (_, i) => ({
        id: `b-${tag}-${i}`,
        caller: `400${String(1000000 + (i % 8999999)).slice(-7)}`,
        callee: calleeOf(i),
        at: new Date().toISOString(),
        action: 'block',
        reason: 'category_block',
        category: 'loan_finance',
      })),
      o.batch,
    );
    const started = Date.now();
    let next = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < bodies.length) {
          const events = bodies[next++];
          const r = await client!.post('/carrier/v1/interceptions', { events });
          if (r.status !== 200) throw new Error(`interceptions answered ${r.status}: ${r.text}`);
          accepted += r.json.accepted;
        }
      }),
    );
    const ingestSec = (Date.now() - started) / 1000;
    if (accepted !== o.interceptions) throw new Error(`accepted ${accepted} of ${o.interceptions}`);
    const notices = ds.getRepository(Notice);
    for (;;) {
      if ((await notices.count({ where: { nextAt: Not(IsNull()) } })) === 0) break;
      if (Date.now() - started > 600_000) throw new Error('not drained after 10 minutes');
      await sleep(100);
    }
    const drainSec = (Date.now() - started) / 1000;

    const rows = await notices.find({ select: { id: true, kind: true, state: true, dueAt: true, sentAt: true } });
    const lags = rows.filter((n) => n.sentAt).map((n) => n.sentAt!.getTime() - n.dueAt.getTime()).sort((a, b) => a - b);
    const [interceptionRows, items, messages] = await Promise.all([ds.getRepository(Interception).count(), ds.getRepository(NoticeItem).count(), ds.getRepository(WechatMessage).count()]);
    const dbRows = interceptionRows + items + rows.length + messages;
    const count = (f: (n: Notice) => boolean) => rows.filter(f).length;
    return {
      workers,
      pattern: o.pattern,
      interceptions: o.interceptions,
      subscribers: o.subscribers,
      notices: {
        total: rows.length,
        sent: count((n) => n.state === 'sent'),
        uncertain: count((n) => n.state === 'uncertain'),
        failed: count((n) => n.state === 'failed'),
        intercept: count((n) => n.kind === 'intercept'),
        digest: count((n) => n.kind === 'digest'),
      },
      ingestSec: Number(ingestSec.toFixed(2)),
      interceptionsPerSec: Math.round(o.interceptions / ingestSec),
      drainSec: Number(drainSec.toFixed(2)),
      noticesPerSec: Math.round(count((n) => n.state === 'sent') / drainSec),
      dbRows,
      dbRowsPerSec: Math.round(dbRows / drainSec),
      lagMs: { p50: pct(lags, 50), p99: pct(lags, 99), max: lags[lags.length - 1] ?? 0 },
      wechatReceived: wechat.state.templateMessages().length,
    };
  } finally {
    await Promise.all(children.map(stop));
    client?.close();
    await server?.close();
    await wechat.close();
    await store.close();
    await ds.destroy();
    await db.drop();
    await dropRedisPrefix(prefix);
  }
}

export async function benchNotices(opts: NoticesBenchOptions = {}): Promise<NoticesBenchResult> {
  const o: Required<NoticesBenchOptions> = {
    interceptions: opts.interceptions ?? 100_000,
    subscribers: opts.subscribers ?? 10_000,
    answerMs: opts.answerMs ?? 20,
    workers: opts.workers ?? [1, 2],
    batch: opts.batch ?? 1000,
    concurrency: opts.concurrency ?? 4,
    pattern: opts.pattern ?? 'bursts',
  };
  const runs: NoticesRun[] = [];
  for (const w of o.workers) runs.push(await runOnce(w, o));
  return { name: 'notices', answerMs: o.answerMs, digestWindowMs: Math.round(60 * MINUTE_MS), runs };
}

if (require.main === module) {
  const n = Number(process.env.BENCH_INTERCEPTIONS ?? 100_000);
  benchNotices({ interceptions: n, subscribers: Math.max(1, Math.round(n / 10)) }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
