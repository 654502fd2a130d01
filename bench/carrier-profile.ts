// Where the carrier server's CPU goes under batch and single-screen load: the warm carrier server (the
// same seeded population as bench/carrier.ts) run under V8's profiler, summarised by bench/cpu-profile.ts.
// `node dist/bench/carrier-profile.js [batch|single] [seconds]`; not part of `npm run bench` (the
// profiler's cost would be in the figures).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { carrierServerEnv, serverNodeFlags } from './production-server';
import { BENCH_CALLEES } from './carrier-services';
import { summariseCpuProfile } from './cpu-profile';
import { runLoad } from './load';
import { dropRedisPrefix } from './redis-prefix';
import { forkServer, stopServer } from './server-process';
import { createDatabaseUrl, testRedisPrefix } from '../test/support/backends';
import { carrierHeaders } from '../test/support/carrier-client';

const KEY_ID = 'bench-carrier';
const SECRET = crypto.randomBytes(24).toString('hex');
const callers = [{ caller: '4001000373' }, { caller: '4001003730', callerIndustry: 'insurance' }, { caller: '13912345678', attestation: 'A' }, { caller: '02187654321', attestation: 'B' }, { caller: '95555' }, { caller: '+85223456789', attestation: 'C' }, { caller: '17012345678', attestation: 'A' }, { caller: '15800001111', callerIndustry: 'real_estate', attestation: 'A' }];
let turn = 0;
const call = () => {
  turn++;
  return { ...callers[turn % callers.length], callee: BENCH_CALLEES[(turn * 31) % BENCH_CALLEES.length] };
};
const signed = (p: string, body: string) => ({ path: p, headers: { 'content-type': 'application/json', ...carrierHeaders({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: p, body }) }, body });

async function main() {
  const mode = process.argv[2] ?? 'batch';
  const seconds = Number(process.argv[3] ?? 10);
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-prof-'));
  const env = carrierServerEnv({ databaseUrl: db.url, redisPrefix: prefix, keyId: KEY_ID, secret: SECRET });
  const s = await forkServer('carrier-server-process', 'carrier', env, [...serverNodeFlags(), '--cpu-prof', `--cpu-prof-dir=${dir}`]);
  try {
    const p = mode === 'batch' ? '/carrier/v1/screen/batch' : '/carrier/v1/screen';
    const pool = Array.from({ length: 64 }, () => (mode === 'batch' ? JSON.stringify({ calls: Array.from({ length: 1000 }, call) }) : JSON.stringify(call())));
    let next = 0;
    const body = () => pool[next++ % pool.length];
    await runLoad({ url: `${s.url}${p}`, connections: mode === 'batch' ? 8 : 64, durationSec: 2, request: () => signed(p, body()) });
    const r = await runLoad({ url: `${s.url}${p}`, connections: mode === 'batch' ? 8 : 64, durationSec: seconds, request: () => signed(p, body()) });
    console.log(JSON.stringify({ mode, requestsPerSec: r.requestsPerSec, decisionsPerSec: r.requestsPerSec * (mode === 'batch' ? 1000 : 1), p99Ms: r.p99Ms, errors: r.errors, non2xx: r.non2xx }));
  } finally {
    await stopServer(s.child);
    await db.drop();
    await dropRedisPrefix(prefix);
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  // CARRIER_PROFILE_KEEP=path keeps the whole .cpuprofile (for DevTools, or a caller-by-caller reading).
  if (process.env.CARRIER_PROFILE_KEEP) fs.copyFileSync(path.join(dir, file), process.env.CARRIER_PROFILE_KEEP);
  console.log(JSON.stringify(summariseCpuProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), 25), null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
