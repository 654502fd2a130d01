// The carrier API at a fixed 5,000 signed single screens/s beside the bare Koa handler at the same rate,
// in alternating rounds (FIXED_RATE_ROUNDS, 3; FIXED_RATE_SECONDS, 8 each), each round's p50/p90/p99/max,
// server CPU per request and the carrier server's event-loop delay: the fixed-rate phase of
// bench/carrier.ts alone, for trying a change to its p99. Both servers get `npm start`'s Node flags, or
// CARRIER_BENCH_NODE_FLAGS when set (e.g. "--single-threaded-gc"; "" for none). FIXED_RATE_PROFILE=1
// writes a V8 profile of the carrier's rounds and prints where its CPU went; CLUSTER_WORKERS=N runs the
// carrier as N processes on one port (bench/cluster-server-process.ts; its CPU and loop delay are then not
// reported). Not part of `npm run bench`: `node dist/bench/fixed-rate-probe.js`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { carrierServerEnv, serverNodeFlags } from './production-server';
import { BENCH_CALLEES } from './carrier-services';
import { summariseCpuProfile } from './cpu-profile';
import { runSignedLoad } from './load';
import { dropRedisPrefix } from './redis-prefix';
import { forkServer, stopServer } from './server-process';
import { createDatabaseUrl, testRedisPrefix } from '../test/support/backends';

const KEY_ID = 'bench-carrier';
const SECRET = crypto.randomBytes(24).toString('hex');
const RATE = 5000;
let turn = 0;
const call = () => ({ caller: '4001000373', callee: BENCH_CALLEES[(turn++ * 31) % BENCH_CALLEES.length] });

type Server = Awaited<ReturnType<typeof forkServer>>;

function ask<T>(s: Server, cmd: string): Promise<T> {
  s.child.send({ cmd });
  return new Promise<T>((resolve) => s.child.once('message', resolve));
}

async function main() {
  const rounds = Number(process.env.FIXED_RATE_ROUNDS ?? 3);
  const seconds = Number(process.env.FIXED_RATE_SECONDS ?? 8);
  const clustered = !!process.env.CLUSTER_WORKERS;
  const profile = !!process.env.FIXED_RATE_PROFILE && !clustered;
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const env = carrierServerEnv({ databaseUrl: db.url, redisPrefix: prefix, keyId: KEY_ID, secret: SECRET });
  const flags = serverNodeFlags();
  const carrier = await forkServer(clustered ? 'cluster-server-process' : 'carrier-server-process', 'carrier', env, flags);
  const bare = await forkServer('carrier-server-process', 'bare', {}, flags);
  const load = (s: Server, durationSec: number, rate?: number) =>
    runSignedLoad({ url: `${s.url}/carrier/v1/screen`, keyId: KEY_ID, secret: SECRET, bodies: () => JSON.stringify(call()), connections: 64, durationSec, rate, maxRate: 40_000, serverPid: s.child.pid });
  try {
    await load(carrier, 2);
    await load(bare, 2);
    for (let i = 0; i < rounds; i++) {
      for (const [name, s] of [['bare', bare], ['carrier', carrier]] as const) {
        const mine = name === 'carrier' && !clustered;
        if (mine) carrier.child.send({ cmd: 'reset-delay' });
        if (mine && profile) carrier.child.send({ cmd: 'profile-start' });
        const r = await load(s, seconds, RATE);
        if (mine && profile) {
          const { profile: p } = await ask<{ profile: unknown }>(carrier, 'profile-stop');
          fs.writeFileSync(path.join(os.tmpdir(), `fsr-fixed-rate-${i}.cpuprofile`), JSON.stringify(p));
        }
        const delay = mine ? (await ask<{ delay: { p99Ms: number; maxMs: number } }>(carrier, 'delay')).delay : undefined;
        console.log(
          [`${name}: ${r.requestsPerSec} req/s`, `p50 ${r.p50Ms} p90 ${r.p90Ms} p99 ${r.p99Ms} max ${r.maxMs} ms`, `server ${r.server?.cpuUsPerRequest ?? '?'} µs/req`, delay ? `loop delay p99 ${delay.p99Ms.toFixed(2)} max ${delay.maxMs.toFixed(1)} ms` : '', `${r.errors} errors, ${r.non2xx} ≥ 400`]
            .filter(Boolean)
            .join('; '),
        );
      }
    }
  } finally {
    await stopServer(carrier.child);
    await stopServer(bare.child);
    await db.drop();
    await dropRedisPrefix(prefix);
  }
  if (profile) {
    const s = summariseCpuProfile(JSON.parse(fs.readFileSync(path.join(os.tmpdir(), 'fsr-fixed-rate-0.cpuprofile'), 'utf8')), 30);
    console.log(JSON.stringify(s, null, 1));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
