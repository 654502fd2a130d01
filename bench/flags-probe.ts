// Two carrier servers that differ only in their Node flags or environment, under the same single-screen
// load in alternating rounds (FLAGS_PROBE_ROUNDS, 5; FLAGS_PROBE_SECONDS, 4 each): each round's req/s and
// server CPU per screen, the median of each side, and each server's resident memory after the load. On a
// shared machine whose speed drifts by tens of percent within minutes, a difference of a few percent shows
// only between rounds run side by side like this; run it again with the sides swapped before trusting it.
// FLAGS_PROBE_A / FLAGS_PROBE_B: Node flags of each side ("" for none; default: `npm start`'s);
// FLAGS_PROBE_A_ENV / FLAGS_PROBE_B_ENV: JSON of extra environment; FLAGS_PROBE_A_BUILD /
// FLAGS_PROBE_B_BUILD: the dist/ of another checkout (a git worktree, built), whose server that side runs,
// to compare two builds. FLAGS_PROBE_COLD=N: both sides start
// cold over one database of N imported registrations, and the callees are half enrolled, half never seen,
// drawn at random (the carrier bench's cold-callee phase); else 1,000 seeded callees each. Load from
// autocannon in this process, signed per request (the same for both sides). Not part of `npm run bench`:
// `node dist/bench/flags-probe.js`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSubscribersFile } from '../app/binding/subscriber-import';
import { openDatabase } from '../app/db/datasource';
import { PhoneVault } from '../app/privacy/phone-vault';
import { eightDigits, registrationFile } from './carrier';
import { BENCH_CALLEES } from './carrier-services';
import { runLoad } from './load';
import { processCpuUs } from './proc-cpu';
import { carrierServerEnv, startNodeFlags } from './production-server';
import { dropRedisPrefix } from './redis-prefix';
import { forkServer, stopServer } from './server-process';
import { createDatabaseUrl, testRedisPrefix } from '../test/support/backends';
import { carrierHeaders } from '../test/support/carrier-client';

const KEY_ID = 'bench-carrier';
const SECRET = crypto.randomBytes(24).toString('hex');
const PATH = '/carrier/v1/screen';
let turn = 0;
let enrolled: string[] | null = null;
const callee = () => (enrolled ? (Math.random() < 0.5 ? enrolled[Math.floor(Math.random() * enrolled.length)] : `147${eightDigits()}`) : BENCH_CALLEES[(turn++ * 31) % BENCH_CALLEES.length]);
const request = () => {
  const body = JSON.stringify({ caller: '4001000373', callee: callee() });
  return { path: PATH, headers: { 'content-type': 'application/json', ...carrierHeaders({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: PATH, body }) }, body };
};

const flagsOf = (v: string | undefined) => (v === undefined ? startNodeFlags() : v.split(/\s+/).filter(Boolean));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One database of `n` imported registrations for both sides, and its data key. */
async function coldDatabase(n: number) {
  const db = await createDatabaseUrl('mariadb');
  const dataKey = crypto.randomBytes(32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-flags-probe-'));
  try {
    const file = path.join(dir, 'registrations.csv');
    enrolled = registrationFile(n, file);
    const ds = await openDatabase(db.url, { migrate: true });
    await importSubscribersFile({ db: ds, vault: new PhoneVault(dataKey) }, file);
    await ds.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { url: db.url, dataKey: dataKey.toString('base64'), drop: () => db.drop() };
}

type Shared = Awaited<ReturnType<typeof coldDatabase>>;

/** The server script of this build, or of another checkout's dist/ (forkServer takes it relative to bench/). */
const serverScript = (build: string | undefined) => (build ? path.relative(__dirname, path.join(path.resolve(build), 'bench', 'carrier-server-process')) : 'carrier-server-process');

async function side(name: string, flags: string[], extraEnv: Record<string, string>, shared: Shared | null, build?: string) {
  const db = shared ?? (await createDatabaseUrl('mariadb'));
  const prefix = testRedisPrefix();
  const env = { ...carrierServerEnv({ databaseUrl: db.url, redisPrefix: prefix, keyId: KEY_ID, secret: SECRET, dataKey: shared?.dataKey }), ...extraEnv };
  const server = await forkServer(serverScript(build), shared ? 'cold' : 'carrier', env, flags);
  const round = async (seconds: number) => {
    const cpu0 = processCpuUs(server.child.pid)!;
    const r = await runLoad({ url: `${server.url}${PATH}`, connections: 64, durationSec: seconds, request });
    if (r.errors || r.non2xx) throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
    return { rps: Math.round(r.requestsPerSec), cpuUs: (processCpuUs(server.child.pid)! - cpu0) / r.total };
  };
  const stop = async () => {
    await stopServer(server.child);
    if (!shared) await db.drop();
    await dropRedisPrefix(prefix);
  };
  return { name, flags, extraEnv, build: build ?? 'this build', pid: server.child.pid!, round, stop };
}

async function main() {
  const rounds = Number(process.env.FLAGS_PROBE_ROUNDS ?? 5);
  const seconds = Number(process.env.FLAGS_PROBE_SECONDS ?? 4);
  const shared = process.env.FLAGS_PROBE_COLD ? await coldDatabase(Number(process.env.FLAGS_PROBE_COLD)) : null;
  const a = await side('A', flagsOf(process.env.FLAGS_PROBE_A), JSON.parse(process.env.FLAGS_PROBE_A_ENV ?? '{}'), shared, process.env.FLAGS_PROBE_A_BUILD);
  const b = await side('B', flagsOf(process.env.FLAGS_PROBE_B), JSON.parse(process.env.FLAGS_PROBE_B_ENV ?? '{}'), shared, process.env.FLAGS_PROBE_B_BUILD);
  try {
    await a.round(2);
    await b.round(2);
    const results = { A: [] as { rps: number; cpuUs: number }[], B: [] as { rps: number; cpuUs: number }[] };
    for (let i = 0; i < rounds; i++) {
      results.A.push(await a.round(seconds));
      results.B.push(await b.round(seconds));
    }
    for (const s of [a, b]) {
      const rs = results[s.name as 'A' | 'B'];
      console.log(
        `${s.name} (${s.build}) ${JSON.stringify(s.flags)} ${JSON.stringify(s.extraEnv)}: ${rs.map((r) => `${r.rps} req/s at ${r.cpuUs.toFixed(1)} µs`).join(' · ')}; median ${median(rs.map((r) => r.cpuUs)).toFixed(1)} µs a screen; ${rssMb(s.pid).toFixed(0)} MB resident after the load`,
      );
    }
  } finally {
    await a.stop();
    await b.stop();
    await shared?.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
