// Decision engine benchmarks: batch decisions per second in-process, label import rows per
// second on MariaDB, resident memory of the label index at 1M and 10M labels. Each function prints one
// JSON object and returns it; bench/run.ts calls them. `node dist/bench/decision.js` runs all three.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../app/config';
import { openDatabase } from '../app/db/datasource';
import type { Deps } from '../app/deps';
import { createLogger } from '../app/log';
import { PhoneVault } from '../app/privacy/phone-vault';
import { Behaviour } from '../app/protection/behaviour';
import { Decider, type ScreenCall } from '../app/protection/decider';
import { LABEL_CATEGORIES, type LabelCategory } from '../app/labels/categories';
import { defaultBatchSize, importLabelsFile } from '../app/labels/import';
import { LabelIndex } from '../app/labels/label-index';
import { PreferenceSource } from '../app/protection/preference-source';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions } from '../app/protection/preferences';
import { openStore } from '../app/store';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { createDatabaseUrl } from '../test/support/backends';

/** A deterministic stream of random numbers (benchmarks must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MOBILE_LOW = 13_000_000_000;
const MOBILE_SPAN = 6_000_000_000;

/** `n` distinct labelled mobiles in ascending order, spread over the whole mobile range. */
function* sortedLabelRows(n: number, seed = 7) {
  const r = rng(seed);
  const step = MOBILE_SPAN / n;
  for (let i = 0; i < n; i++) {
    const key = MOBILE_LOW + Math.floor(i * step + r() * (step - 1));
    yield { key, category: LABEL_CATEGORIES[i % 11] as LabelCategory, source: 'import' as const, confidence: 0.6 + r() * 0.4, lastSeenSec: Date.now() / 1000 - r() * 86_400 * 30, expiresSec: 0 };
  }
}

function print<T>(result: T): T {
  console.log(JSON.stringify(result));
  return result;
}

export interface DecisionBatchOptions {
  labels?: number;
  callees?: number;
  batch?: number;
  seconds?: number;
}

export interface DecisionBatchResult {
  bench: 'decision-batch';
  labels: number;
  enrolledCallees: number;
  batch: number;
  decisions: number;
  decisionsPerSec: number;
  /** Per second of this process's CPU: the figure that does not depend on what else the machine runs. */
  decisionsPerCpuSec: number;
  singleDecisionsPerSec: number;
  reasons: Record<string, number>;
}

/**
 * screenBatch() in one process: the real Decider (label index of `labels` labels, preferences of
 * `callees` enrolled subscribers cached, behaviour counting on), SQLite behind it for the cache misses.
 * A fifth of the callers are labelled, a fifth of the callees are not enrolled.
 */
export async function benchDecisionBatch(o: DecisionBatchOptions = {}): Promise<DecisionBatchResult> {
  const labels = o.labels ?? 1_000_000;
  const callees = o.callees ?? 10_000;
  const batch = o.batch ?? 1000;
  const seconds = o.seconds ?? 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-bench-decision-'));
  const dataKey = crypto.randomBytes(32);
  const db = await openDatabase(`sqlite:${path.join(dir, 'fsr.sqlite')}`, { migrate: true });
  const store = await openStore(undefined);
  const deps: Deps = { config: loadConfig({ DATA_KEY: dataKey.toString('base64'), LOG_LEVEL: 'silent' }), log: createLogger('silent'), db, store, vault: new PhoneVault(dataKey) };
  try {
    const r = rng(42);
    const enrolled = Array.from({ length: callees }, (_, i) => String(13_800_000_000 + i * 9973));
    const now = new Date();
    for (let i = 0; i < enrolled.length; i += 500) {
      const slice = enrolled.slice(i, i + 500);
      const { identifiers } = await db.getRepository(Subscriber).insert(slice.map((_, k) => ({ openid: `bench-${i + k}`, subscribed: true, subscribedAt: now, wechatPushBlocked: false, createdAt: now, updatedAt: now })));
      const ids = identifiers.map((x) => Number(x.id));
      await db.getRepository(PhoneBinding).insert(slice.map((phone, k) => ({ subscriberId: ids[k], phoneHash: deps.vault.lookupHash(phone), phoneCipher: deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now })));
      await db.getRepository(ProtectionSettings).insert(
        ids.map((subscriberId, k) =>
          Object.assign(new ProtectionSettings(), {
            subscriberId,
            enabled: true,
            paused: false,
            enabledAt: now,
            categoryModes: { ...defaultCategoryModes(), ...(k % 3 === 0 ? { insurance: 'allow', travel: 'verify' } : {}) },
            behaviour: defaultBehaviour(),
            notices: defaultNotices(),
            options: k % 4 === 0 ? { ...defaultOptions(), timeWindows: { mode: 'windows', windows: [{ days: [], start: '21:00', end: '09:00' }] } } : defaultOptions(),
            version: 1,
            updatedAt: now,
          }),
        ) as never,
      );
    }
    const index = new LabelIndex(null);
    index.loadSorted(sortedLabelRows(labels), labels);
    const labelledSample = Array.from({ length: 2000 }, (_, i) => i * Math.floor(labels / 2000));
    const labelled: string[] = [];
    {
      // One pass over the generator collects the sampled labelled numbers.
      let k = 0;
      let next = 0;
      for (const row of sortedLabelRows(labels)) {
        if (k === labelledSample[next]) {
          labelled.push(String(row.key));
          next++;
        }
        k++;
      }
    }
    const decider = new Decider(deps, {
      labelIndex: index,
      preferenceSource: new PreferenceSource(deps),
      behaviour: new Behaviour(store, { hashNumber: (n) => deps.vault.lookupHash(n), flushMs: 1000 }),
    });
    await decider.preferenceSource.start();
    decider.behaviour.start();
    const unknown = Array.from({ length: 2000 }, (_, i) => String(13_600_000_000 + i * 7));
    const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
    const traffic = (n: number): ScreenCall[] =>
      Array.from({ length: n }, () => ({
        caller: r() < 0.2 ? pick(labelled) : String(MOBILE_LOW + Math.floor(r() * MOBILE_SPAN)),
        callee: r() < 0.8 ? pick(enrolled) : pick(unknown),
        callerIndustry: r() < 0.05 ? 'loan_finance' : undefined,
        attestation: r() < 0.5 ? 'A' : undefined,
      }));
    // Warm the preference cache (as a running process would be) and the JIT on calls of their own: the
    // measured calls are then as a carrier's are (most callers unseen), not a replay of the warm-up, which
    // would make every (caller, callee) pair a repeat call.
    const warm = traffic(200_000);
    for (let i = 0; i < warm.length; i += batch) await decider.screenBatch(warm.slice(i, i + batch));
    const calls = traffic(400_000);

    const reasons: Record<string, number> = {};
    let decisions = 0;
    let i = 0;
    const started = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      if (i + batch > calls.length) i = 0;
      const out = await decider.screenBatch(calls.slice(i, i + batch));
      for (const d of out) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
      decisions += out.length;
      i += batch;
    }
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;

    let singles = 0;
    const singleStarted = process.hrtime.bigint();
    const singleUntil = Date.now() + Math.max(1, seconds / 2) * 1000;
    while (Date.now() < singleUntil) {
      for (let k = 0; k < 1000; k++) await decider.screen(calls[(singles + k) % calls.length]);
      singles += 1000;
    }
    const singleElapsed = Number(process.hrtime.bigint() - singleStarted) / 1e9;
    await decider.stop();
    return print({
      bench: 'decision-batch',
      labels,
      enrolledCallees: callees,
      batch,
      decisions,
      decisionsPerSec: Math.round(decisions / elapsed),
      decisionsPerCpuSec: Math.round(decisions / cpuSeconds),
      singleDecisionsPerSec: Math.round(singles / singleElapsed),
      reasons,
    });
  } finally {
    await store.close();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface LabelImportResult {
  bench: 'label-import';
  database: string;
  rows: number;
  /** Lines per committed batch (the importer's default unless --batch). */
  batchSize: number;
  accepted: number;
  rejected: number;
  seconds: number;
  rowsPerSec: number;
  /** number_label's pages (rows + indexes) after the first import, as InnoDB counts them. */
  tableMB: number;
  /** The same file again onto the filled table (every row an update). */
  reimportRowsPerSec: number;
}

/** `npm run labels:import`'s engine on a fresh MariaDB database (TEST_DATABASE_URL's server). */
export async function benchLabelImport(o: { rows?: number; batchSize?: number } = {}): Promise<LabelImportResult> {
  const rows = o.rows ?? 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-bench-import-'));
  const file = path.join(dir, 'labels.csv');
  const r = rng(11);
  const out = fs.createWriteStream(file);
  out.write('number,category,confidence\n');
  const marketing = LABEL_CATEGORIES.slice(0, 11);
  for (let i = 0; i < rows; i++) {
    const line = `${MOBILE_LOW + Math.floor(r() * MOBILE_SPAN)},${marketing[i % 11]},${(0.5 + r() / 2).toFixed(2)}\n`;
    if (!out.write(line)) await new Promise<void>((res) => out.once('drain', () => res()));
  }
  await new Promise<void>((res) => out.end(res));
  const { url, drop } = await createDatabaseUrl('mariadb');
  const db = await openDatabase(url, { migrate: true });
  try {
    const batchSize = o.batchSize ?? defaultBatchSize(db);
    const first = await importLabelsFile(db, file, { batchSize });
    await db.query(`ANALYZE TABLE number_label`);
    const [size] = (await db.query(
      `SELECT data_length + index_length AS bytes FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'number_label'`,
    )) as { bytes: string | number }[];
    const again = await importLabelsFile(db, file, { batchSize, restart: true });
    return print({
      bench: 'label-import',
      database: 'mariadb',
      rows,
      batchSize,
      accepted: first.accepted,
      rejected: first.rejected,
      seconds: Math.round(first.seconds * 100) / 100,
      rowsPerSec: Math.round(first.lines / first.seconds),
      tableMB: Math.round(Number(size.bytes) / 1048576),
      reimportRowsPerSec: Math.round(again.lines / again.seconds),
    });
  } finally {
    await db.destroy();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface LabelMemoryResult {
  bench: 'label-memory';
  labels: number;
  /** Resident memory of a process holding only the index, minus the same process before building it. */
  rssMB: number;
  arrayMB: number;
  bytesPerLabel: number;
  buildSeconds: number;
  lookupsPerSec: number;
  /** Merging 10,000 changes into the arrays, and the longest the event loop was held meanwhile. */
  mergeMs: number;
  mergeLongestStallMs: number;
}

type ChildReport = Omit<LabelMemoryResult, 'bench'>;

async function measureInChild(labels: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--label-memory-child', String(labels)], { execArgv: ['--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as ChildReport));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`memory child exited ${code}`)));
  });
}

async function labelMemoryChild(labels: number): Promise<ChildReport> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const before = process.memoryUsage();
  const t0 = process.hrtime.bigint();
  const index = new LabelIndex(null);
  index.loadSorted(sortedLabelRows(labels), labels);
  const buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  gc();
  const after = process.memoryUsage();
  const r = rng(5);
  // A fifth of the probes hit a label, as a fifth of real callers might.
  const every = Math.max(1, Math.floor(labels / 20_000));
  const hits: number[] = [];
  let k = 0;
  for (const row of sortedLabelRows(labels)) if (k++ % every === 0) hits.push(row.key);
  const probes = Array.from({ length: 100_000 }, (_, i) => (i % 5 === 0 ? hits[i % hits.length] : MOBILE_LOW + Math.floor(r() * MOBILE_SPAN)));
  const now = Date.now();
  let found = 0;
  const l0 = process.hrtime.bigint();
  for (let round = 0; round < 20; round++) for (const p of probes) found += index.lookupKey(p, now).length;
  const lookupsPerSec = Math.round((probes.length * 20) / (Number(process.hrtime.bigint() - l0) / 1e9));
  index.apply(
    Array.from({ length: 10_000 }, (_, i) => ({
      number: String(MOBILE_LOW + i * 577),
      category: 'travel' as const,
      source: 'report' as const,
      confidence: 0.7,
      evidenceCount: 1,
      firstSeen: new Date(),
      lastSeen: new Date(),
      expiresAt: null,
      version: i + 1,
      tombstone: false,
    })),
  );
  // The longest the event loop waits on a merge slice is what a decision can wait behind it.
  let longestStallMs = 0;
  let last = process.hrtime.bigint();
  const probe = setInterval(() => {
    const t = process.hrtime.bigint();
    longestStallMs = Math.max(longestStallMs, Number(t - last) / 1e6 - 1);
    last = t;
  }, 1);
  const m0 = process.hrtime.bigint();
  last = m0;
  await index.merge();
  const mergeMs = Math.round(Number(process.hrtime.bigint() - m0) / 1e6);
  clearInterval(probe);
  const rss = after.rss - before.rss;
  return {
    labels,
    rssMB: Math.round(rss / 1048576),
    arrayMB: Math.round(index.arrayBytes / 1048576),
    bytesPerLabel: Math.round((index.arrayBytes / index.size) * 10) / 10,
    buildSeconds: Math.round(buildSeconds * 100) / 100,
    lookupsPerSec: found >= 0 ? lookupsPerSec : 0,
    mergeMs,
    mergeLongestStallMs: Math.round(longestStallMs * 10) / 10,
  };
}

/** Resident memory of the label index, each size in a fresh process. */
export async function benchLabelMemory(o: { sizes?: number[] } = {}): Promise<LabelMemoryResult[]> {
  const out: LabelMemoryResult[] = [];
  for (const n of o.sizes ?? [1_000_000, 10_000_000]) out.push(print({ bench: 'label-memory' as const, ...(await measureInChild(n)) }));
  return out;
}

if (require.main === module) {
  const [flag, arg] = process.argv.slice(2);
  if (flag === '--label-memory-child') {
    labelMemoryChild(Number(arg)).then(
      (r) => process.send!(r, () => process.exit(0)),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  } else {
    (async () => {
      await benchDecisionBatch();
      await benchLabelMemory();
      await benchLabelImport();
    })().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  }
}
