// The carrier API under loopback load, beside a bare Koa JSON handler in the same run (issue 4 aims:
// single-screen throughput ≥ 70% of the bare handler's, p99 < 5 ms at 5,000 req/s, batch > 200,000
// decisions/s). Each server runs in its own process; the load comes from this one through autocannon.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { BENCH_CALLEES, ENGINE } from './carrier-services';
import { runLoad, type LoadResult } from './load';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix } from '../test/support/backends';
import { carrierHeaders } from '../test/support/carrier-client';
import { dropRedisPrefix } from './redis-prefix';
import { forkServer, stopServer } from './server-process';

export interface CarrierBenchOptions {
  durationSec?: number;
  connections?: number;
  /** Calls per batch request. */
  batchSize?: number;
}

export interface CarrierBenchResult {
  name: 'carrier';
  engine: string;
  durationSec: number;
  connections: number;
  /** The alternating round whose carrier/bare ratio is the median; every round's ratio beside it. */
  single: { carrier: LoadResult; bare: LoadResult; throughputRatio: number; roundRatios: number[] };
  /** Latency at a fixed offered load, and how long ready work waited for the server's event loop meanwhile. */
  fixedRate: { rate: number; connections: number; result: LoadResult; serverLoopDelay: LoopDelay };
  batch: { batchSize: number; requestsPerSec: number; decisionsPerSec: number; p99Ms: number; errors: number; non2xx: number };
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const KEY_ID = 'bench-carrier';
const ROUNDS = 5;
const SECRET = crypto.randomBytes(24).toString('hex');

const startServer = (mode: 'carrier' | 'bare', env: Record<string, string>) => forkServer('carrier-server-process', mode, env);

async function loopDelay(child: ChildProcess, cmd: 'reset-delay' | 'delay'): Promise<LoopDelay | undefined> {
  child.send({ cmd });
  if (cmd === 'reset-delay') return undefined;
  const m = await new Promise<{ delay: LoopDelay }>((resolve) => child.once('message', resolve));
  const round = (n: number) => Number(n.toFixed(2));
  return { p50Ms: round(m.delay.p50Ms), p99Ms: round(m.delay.p99Ms), maxMs: round(m.delay.maxMs) };
}

// A mix of what the network sees: labelled 400 marketers, registered industries, mobiles (some on allow or
// reject lists), landlines, service numbers, Hong Kong; every callee enrolled.
const callers: { caller: string; callerIndustry?: string; attestation?: string }[] = [
  { caller: '4001000373' },
  { caller: '4001003730', callerIndustry: 'insurance' },
  { caller: '13912345678', attestation: 'A' },
  { caller: '02187654321', attestation: 'B' },
  { caller: '95555' },
  { caller: '+85223456789', attestation: 'C' },
  { caller: '17012345678', attestation: 'A' },
  { caller: '15800001111', callerIndustry: 'real_estate', attestation: 'A' },
];
let turn = 0;
function call() {
  turn++;
  return { ...callers[turn % callers.length], callee: BENCH_CALLEES[(turn * 31) % BENCH_CALLEES.length] };
}

function signed(pathname: string, body: string) {
  return { path: pathname, headers: { 'content-type': 'application/json', ...carrierHeaders({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: pathname, body }) }, body };
}


export async function benchCarrier(o: CarrierBenchOptions = {}): Promise<CarrierBenchResult> {
  const durationSec = o.durationSec ?? 10;
  const connections = o.connections ?? 64;
  const batchSize = o.batchSize ?? 1000;
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    CARRIER_KEYS: `${KEY_ID}:${SECRET}`,
    // The budget is not what is measured here.
    CARRIER_RATE_LIMIT: '1000000000',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  const carrier = await startServer('carrier', env);
  const bare = await startServer('bare', {});
  try {
    const single = (url: string, extra: { rate?: number; connections?: number; durationSec?: number } = {}) =>
      runLoad({
        url: `${url}/carrier/v1/screen`,
        connections: extra.connections ?? connections,
        durationSec: extra.durationSec ?? durationSec,
        rate: extra.rate,
        request: () => signed('/carrier/v1/screen', JSON.stringify(call())),
      });
    // Warm both (JIT, connection pools) before measuring.
    await runLoad({ url: `${carrier.url}/carrier/v1/screen`, connections, durationSec: 2, request: () => signed('/carrier/v1/screen', JSON.stringify(call())) });
    await runLoad({ url: `${bare.url}/carrier/v1/screen`, connections, durationSec: 2, request: () => signed('/carrier/v1/screen', JSON.stringify(call())) });
    // Other work on the machine comes and goes, so the two are measured in alternating short rounds and the
    // round with the median ratio is reported: a ratio from two back-to-back runs was off by ±40%.
    const rounds: { carrier: LoadResult; bare: LoadResult; ratio: number }[] = [];
    const roundSec = Math.max(2, Math.round(durationSec / ROUNDS));
    for (let i = 0; i < ROUNDS; i++) {
      const b = await single(bare.url, { durationSec: roundSec });
      const c = await single(carrier.url, { durationSec: roundSec });
      rounds.push({ carrier: c, bare: b, ratio: c.requestsPerSec / b.requestsPerSec });
    }
    const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor(ROUNDS / 2)];
    const bareResult = median.bare;
    const carrierResult = median.carrier;
    await loopDelay(carrier.child, 'reset-delay');
    const fixed = await single(carrier.url, { rate: 5000, connections: 16 });
    const fixedDelay = (await loopDelay(carrier.child, 'delay'))!;
    const batchBody = () => JSON.stringify({ calls: Array.from({ length: batchSize }, call) });
    const batch = await runLoad({
      url: `${carrier.url}/carrier/v1/screen/batch`,
      connections: 8,
      durationSec,
      request: () => signed('/carrier/v1/screen/batch', batchBody()),
    });
    const result: CarrierBenchResult = {
      name: 'carrier',
      engine: ENGINE,
      durationSec,
      connections,
      single: {
        carrier: carrierResult,
        bare: bareResult,
        throughputRatio: Number(median.ratio.toFixed(3)),
        roundRatios: rounds.map((r) => Number(r.ratio.toFixed(3))),
      },
      fixedRate: { rate: 5000, connections: 16, result: fixed, serverLoopDelay: fixedDelay },
      batch: {
        batchSize,
        requestsPerSec: batch.requestsPerSec,
        decisionsPerSec: Math.round(batch.requestsPerSec * batchSize),
        p99Ms: batch.p99Ms,
        errors: batch.errors,
        non2xx: batch.non2xx,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    await stopServer(carrier.child);
    await stopServer(bare.child);
    await db.drop();
    await dropRedisPrefix(prefix);
  }
}

if (require.main === module) {
  benchCarrier({ durationSec: Number(process.env.BENCH_SECONDS ?? 10) }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
