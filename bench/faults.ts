// Screens while a part fails, beside the same load with everything healthy, in one run: an 8 s Redis stall
// (its own redis-server, SIGSTOP) and an 8 s database stall (a TCP proxy in front of MariaDB stops
// forwarding), each phase at the same fixed offered rate. The carrier server is the one bench/carrier.ts
// measures (its own process, the real Decider over 1,000 enrolled callees); a fifth of the calls go to
// callees never seen before (a carrier's traffic: many callees, most unseen), which need the database.
// Reported: p50/p99 as the load generator sees them, errors and non-2xx, and how many answers were
// allow/degraded (from the server's /metrics), per phase.
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { BENCH_CALLEES } from './carrier-services';
import { runLoad, type LoadResult } from './load';
import type { Figure } from './results-table';
import { createDatabaseUrl, TEST_DATABASE_URL } from '../test/support/backends';
import { carrierHeaders } from '../test/support/carrier-client';
import { startRedisServer } from '../test/support/redis-process';
import { startTcpProxy, viaProxy } from '../test/support/tcp-proxy';

export interface FaultsBenchOptions {
  /** Length of each phase, stalls included. */
  durationSec?: number;
  rate?: number;
  connections?: number;
}

interface Phase extends LoadResult {
  phase: string;
  degraded: number;
}

const KEY_ID = 'bench-faults';
const SECRET = crypto.randomBytes(24).toString('hex');

let turn = 0;
function call() {
  turn++;
  const unseen = turn % 5 === 0;
  const callee = unseen ? `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` : BENCH_CALLEES[(turn * 31) % BENCH_CALLEES.length];
  return { caller: turn % 2 ? '4001000373' : '15800001111', callerIndustry: turn % 3 ? undefined : 'real_estate', callee };
}

function signed() {
  const body = JSON.stringify(call());
  return { path: '/carrier/v1/screen', headers: { 'content-type': 'application/json', ...carrierHeaders({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: '/carrier/v1/screen', body }) }, body };
}

async function degradedSoFar(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('fsr_carrier_degraded_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

export async function benchFaults(o: FaultsBenchOptions = {}): Promise<{ name: 'faults'; rate: number; phaseSec: number; phases: Phase[]; figures: Figure[] }> {
  const phaseSec = o.durationSec ?? 8;
  const rate = o.rate ?? 300;
  const connections = o.connections ?? 16;
  const db = await createDatabaseUrl('mariadb');
  const redis = await startRedisServer();
  const target = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
  const env = {
    DATABASE_URL: viaProxy(db.url, proxy),
    REDIS_URL: redis.url,
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    CARRIER_KEYS: `${KEY_ID}:${SECRET}`,
    CARRIER_RATE_LIMIT: '1000000000',
    LOG_LEVEL: 'error',
    NODE_ENV: 'development',
    BENCH_MODE: 'carrier',
  };
  const child: ChildProcess = fork(path.join(__dirname, 'carrier-server-process.js'), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`carrier server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const load = (durationSec: number) => runLoad({ url: `${url}/carrier/v1/screen`, connections, durationSec, rate, request: signed });
  const phases: Phase[] = [];
  const measure = async (phase: string, during: { start?: () => void; end?: () => void } = {}) => {
    const before = await degradedSoFar(url);
    during.start?.();
    const r = await load(phaseSec);
    during.end?.();
    phases.push({ phase, ...r, degraded: (await degradedSoFar(url)) - before });
  };
  try {
    await load(3); // warm: JIT, pools, the enrolled callees' preferences in memory
    await measure('healthy');
    await measure('redis stalled', { start: () => redis.stall(), end: () => redis.resume() });
    await load(2); // let it reconnect and write back
    await measure('database stalled', { start: () => proxy.pause(), end: () => proxy.resume() });
    await load(2);
    await measure('healthy again');
  } finally {
    redis.resume();
    proxy.resume();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await proxy.close();
    await redis.close();
    await db.drop();
  }
  const healthy = phases[0];
  const figures: Figure[] = [];
  for (const p of phases.slice(1)) {
    figures.push({ figure: `${p.phase}: screen p99, ms (healthy as baseline)`, project: p.p99Ms, baseline: healthy.p99Ms, ratio: healthy.p99Ms ? Number((p.p99Ms / healthy.p99Ms).toFixed(2)) : '—', aim: '< 100 ms', met: p.p99Ms < 100 });
    figures.push({ figure: `${p.phase}: screen p50, ms`, project: p.p50Ms, baseline: healthy.p50Ms });
    figures.push({ figure: `${p.phase}: errors + non-2xx of ${p.total}`, project: p.errors + p.non2xx, baseline: healthy.errors + healthy.non2xx, aim: '0', met: p.errors + p.non2xx === 0 });
    figures.push({ figure: `${p.phase}: answered allow/degraded`, project: p.degraded, baseline: healthy.degraded });
    figures.push({ figure: `${p.phase}: throughput at ${rate} req/s offered`, project: p.requestsPerSec, baseline: healthy.requestsPerSec, ratio: Number((p.requestsPerSec / healthy.requestsPerSec).toFixed(3)) });
  }
  const result = { name: 'faults' as const, rate, phaseSec, phases, figures };
  return result;
}

if (require.main === module) {
  benchFaults({ durationSec: Number(process.env.BENCH_SECONDS ?? 8) }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
