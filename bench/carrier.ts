// The carrier API under loopback load, beside a bare Koa JSON handler in the same run (the aims:
// single-screen throughput ≥ 70% of the bare handler's, p99 < 5 ms at 5,000 req/s, batch > 200,000
// decisions/s). Each server runs in its own process; the load comes from this one through autocannon.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_CALLEES, ENGINE, type ViewLoadReport } from './carrier-services';
import { openDatabase } from '../app/db/datasource';
import { PhoneVault } from '../app/privacy/phone-vault';
import { importSubscribersFile } from '../app/binding/subscriber-import';
import { importLabelsFile } from '../app/labels/import';
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
  /** Subscribers imported for the cold-callee phase (0 skips it). */
  coldSubscribers?: number;
}

/** The cold-callee phase: a million imported subscribers, callees drawn at random, half never seen. */
export interface ColdCalleeResult {
  subscribers: number;
  import: { rowsPerSec: number; seconds: number; labelImportRowsPerSec: number; ratioToLabelImport: number };
  view: ViewLoadReport;
  rssAfterLoadMb: number;
  single: { carrier: LoadResult; bare: LoadResult; throughputRatio: number; roundRatios: number[] };
  fixedRate: { rate: number; connections: number; result: LoadResult; serverLoopDelay: LoopDelay };
  batch: { batchSize: number; requestsPerSec: number; decisionsPerSec: number; p99Ms: number; errors: number; non2xx: number };
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
  cold?: ColdCalleeResult;
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const KEY_ID = 'bench-carrier';
const ROUNDS = 5;
const SECRET = crypto.randomBytes(24).toString('hex');

async function startServer(mode: 'carrier' | 'bare' | 'cold', env: Record<string, string>): Promise<{ url: string; child: ChildProcess; view?: ViewLoadReport }> {
  const s = await forkServer('carrier-server-process', mode, env);
  return { url: s.url, child: s.child, view: s.message.view as ViewLoadReport | undefined };
}

async function memoryOf(child: ChildProcess): Promise<number> {
  child.send({ cmd: 'memory' });
  const m = await new Promise<{ memory: { rssMb: number } }>((resolve) => child.once('message', resolve));
  return m.memory.rssMb;
}

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


type Call = () => Record<string, unknown>;

/**
 * Single screens against the carrier server and the bare handler in alternating short rounds (other work
 * on the machine comes and goes; a ratio from two back-to-back runs was off by ±40%), the round with the
 * median ratio reported; then a fixed 5,000 req/s for latency, then batches.
 */
async function measurePhases(carrier: { url: string; child: ChildProcess }, bareUrl: string, o: { durationSec: number; connections: number; batchSize: number; call: Call }) {
  const single = (url: string, extra: { rate?: number; connections?: number; durationSec?: number } = {}) =>
    runLoad({
      url: `${url}/carrier/v1/screen`,
      connections: extra.connections ?? o.connections,
      durationSec: extra.durationSec ?? o.durationSec,
      rate: extra.rate,
      request: () => signed('/carrier/v1/screen', JSON.stringify(o.call())),
    });
  // Warm both (JIT, connection pools) before measuring.
  await single(carrier.url, { durationSec: 2 });
  await single(bareUrl, { durationSec: 2 });
  const rounds: { carrier: LoadResult; bare: LoadResult; ratio: number }[] = [];
  const roundSec = Math.max(2, Math.round(o.durationSec / ROUNDS));
  for (let i = 0; i < ROUNDS; i++) {
    const b = await single(bareUrl, { durationSec: roundSec });
    const c = await single(carrier.url, { durationSec: roundSec });
    rounds.push({ carrier: c, bare: b, ratio: c.requestsPerSec / b.requestsPerSec });
  }
  const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor(ROUNDS / 2)];
  await loopDelay(carrier.child, 'reset-delay');
  const fixed = await single(carrier.url, { rate: 5000, connections: 16 });
  const fixedDelay = (await loopDelay(carrier.child, 'delay'))!;
  const batchBody = () => JSON.stringify({ calls: Array.from({ length: o.batchSize }, o.call) });
  const batch = await runLoad({ url: `${carrier.url}/carrier/v1/screen/batch`, connections: 8, durationSec: o.durationSec, request: () => signed('/carrier/v1/screen/batch', batchBody()) });
  return {
    single: { carrier: median.carrier, bare: median.bare, throughputRatio: Number(median.ratio.toFixed(3)), roundRatios: rounds.map((r) => Number(r.ratio.toFixed(3))) },
    fixedRate: { rate: 5000, connections: 16, result: fixed, serverLoopDelay: fixedDelay },
    batch: { batchSize: o.batchSize, requestsPerSec: batch.requestsPerSec, decisionsPerSec: Math.round(batch.requestsPerSec * o.batchSize), p99Ms: batch.p99Ms, errors: batch.errors, non2xx: batch.non2xx },
  };
}

const PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189'];
const eightDigits = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');

/** `n` distinct random mobiles as a registration file (one in ten refusing two categories only). */
function registrationFile(n: number, file: string): string[] {
  const seen = new Set<string>();
  const phones: string[] = [];
  const fd = fs.openSync(file, 'w');
  let text = 'phone,refused\n';
  while (phones.length < n) {
    const p = PREFIXES[Math.floor(Math.random() * PREFIXES.length)] + eightDigits();
    if (seen.has(p)) continue;
    seen.add(p);
    phones.push(p);
    text += phones.length % 10 === 0 ? `${p},insurance|loan_finance\n` : `${p},\n`;
    if (text.length > 1 << 20) {
      fs.writeSync(fd, text);
      text = '';
    }
  }
  fs.writeSync(fd, text);
  fs.closeSync(fd);
  return phones;
}

/**
 * The traffic a carrier has: a million imported subscribers (rows/s reported, beside a label import of as
 * many rows into the same database in the same run), then callees drawn at random per request, half of
 * them enrolled and half never seen (a prefix no subscriber has), beside the bare handler.
 */
async function coldCallees(o: { durationSec: number; connections: number; batchSize: number; subscribers: number }): Promise<ColdCalleeResult> {
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const dataKey = crypto.randomBytes(32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-bench-cold-'));
  let carrier: { url: string; child: ChildProcess; view?: ViewLoadReport } | null = null;
  let bare: { url: string; child: ChildProcess } | null = null;
  try {
    const file = path.join(dir, 'registrations.csv');
    const phones = registrationFile(o.subscribers, file);
    const ds = await openDatabase(db.url, { migrate: true });
    const imported = await importSubscribersFile({ db: ds, vault: new PhoneVault(dataKey) }, file);
    const labelsFile = path.join(dir, 'labels.csv');
    fs.writeFileSync(labelsFile, `number,category\n${phones.map((p) => `${p},insurance`).join('\n')}\n`);
    const labels = await importLabelsFile(ds, labelsFile);
    await ds.destroy();
    const rowsPerSec = Math.round(imported.accepted / imported.seconds);
    const labelRowsPerSec = Math.round(labels.accepted / labels.seconds);
    console.log(`cold-callee phase: ${imported.accepted} subscribers imported at ${rowsPerSec} rows/s (label import in the same run: ${labelRowsPerSec} rows/s)`);

    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_KEY: dataKey.toString('base64'), CARRIER_KEYS: `${KEY_ID}:${SECRET}`, CARRIER_RATE_LIMIT: '1000000000', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
    carrier = await startServer('cold', env);
    bare = await startServer('bare', {});
    const rssAfterLoadMb = await memoryOf(carrier.child);
    let turn = 0;
    const coldCall: Call = () => {
      turn++;
      const callee = Math.random() < 0.5 ? phones[Math.floor(Math.random() * phones.length)] : `147${eightDigits()}`;
      return { ...callers[turn % callers.length], callee };
    };
    const phases = await measurePhases(carrier, bare.url, { durationSec: o.durationSec, connections: o.connections, batchSize: o.batchSize, call: coldCall });
    return {
      subscribers: imported.accepted,
      import: { rowsPerSec, seconds: imported.seconds, labelImportRowsPerSec: labelRowsPerSec, ratioToLabelImport: Number((rowsPerSec / labelRowsPerSec).toFixed(3)) },
      view: carrier.view!,
      rssAfterLoadMb,
      ...phases,
    };
  } finally {
    if (carrier) await stopServer(carrier.child);
    if (bare) await stopServer(bare.child);
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
    await dropRedisPrefix(prefix);
  }
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
    const phases = await measurePhases(carrier, bare.url, { durationSec, connections, batchSize, call });
    const result: CarrierBenchResult = { name: 'carrier', engine: ENGINE, durationSec, connections, ...phases };
    await stopServer(carrier.child);
    await stopServer(bare.child);
    if ((o.coldSubscribers ?? 1_000_000) > 0) result.cold = await coldCallees({ durationSec, connections, batchSize, subscribers: o.coldSubscribers ?? 1_000_000 });
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
