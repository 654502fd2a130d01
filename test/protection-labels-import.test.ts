// Label import on MariaDB at speed: rows staged by LOAD DATA and written in interleaved key order end up
// exactly as the plain multi-row INSERT path leaves them, and `npm run labels:import` killed mid-way
// resumes to the same labels and the same rejects as a run that was never interrupted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../app/db/datasource';
import { importLabelsFile } from '../app/labels/import';
import { LabelService } from '../app/labels/service';
import { createTestDb, type TestDb } from './support/backends';

const DAY = 86_400_000;
const CLI = path.join(__dirname, '..', 'app', 'labels', 'import-cli.js');

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

/**
 * A label file with what real files have: repeated numbers (in one batch and across batches), several
 * categories per number, spellings with separators and country codes, Chinese category names,
 * expiries, and lines that are not labels.
 */
function labelFile(dir: string, name: string, lines: number, seed: number, expiring: Date): string {
  const r = rng(seed);
  const cats = ['loan_finance', 'insurance', 'real_estate', '保险推销', 'fraud'];
  const out = ['number,category,confidence,expires'];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(r() * 1500);
    const spelled = n % 7 === 0 ? `+86 171 2${String(n).padStart(3, '0')} ${String(n * 7).padStart(4, '0').slice(-4)}` : `1712${String(n).padStart(3, '0')}${String(n * 7).padStart(4, '0').slice(-4)}`;
    const conf = r() < 0.1 ? '' : (0.5 + r() / 2).toFixed(2);
    const exp = n % 11 === 0 ? expiring.toISOString() : n % 13 === 0 ? '2099-01-01' : '';
    if (i % 97 === 50) out.push(`not-a-number,fraud,0.9`);
    else if (i % 89 === 3) out.push(`${spelled},lottery,0.9`);
    else out.push(`"${spelled}",${cats[Math.floor(r() * cats.length)]},${conf},${exp}`);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, out.join('\n') + '\n');
  return file;
}

type Row = Record<string, unknown>;

async function labelRows(ds: DataSource, withTimes = true): Promise<Row[]> {
  const times = withTimes ? ', firstSeen, lastSeen' : '';
  const rows = (await ds.query(
    `SELECT numberKey, category, number, source, confidence, evidenceCount, expiresAt, tombstone${times} FROM number_label ORDER BY numberKey, category`,
  )) as Row[];
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)])));
}

async function versions(ds: DataSource): Promise<number[]> {
  return ((await ds.query(`SELECT version FROM number_label ORDER BY version`)) as { version: string }[]).map((r) => Number(r.version));
}

/** The same database as `db`, through a client that does not offer LOCAL INFILE: the multi-row INSERT path. */
async function withoutLocalInfile(db: TestDb): Promise<DataSource> {
  await db.ds.destroy();
  const ds = new DataSource({ ...dataSourceOptions(db.url), flags: ['-LOCAL_FILES'] } as DataSourceOptions);
  await ds.initialize();
  return ds;
}

test('mariadb: staged, interleaved import writes exactly the labels the multi-row INSERT path writes', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-import-'));
  const staged = await createTestDb('mariadb');
  const plain = await createTestDb('mariadb');
  const plainDs = await withoutLocalInfile(plain);
  try {
    const t1 = new Date('2031-03-01T08:00:00.000Z');
    const t2 = new Date(t1.getTime() + 10 * DAY);
    const first = labelFile(dir, 'first.csv', 4000, 7, new Date(t1.getTime() + 5 * DAY));
    const second = labelFile(dir, 'second.csv', 3000, 8, new Date(t2.getTime() + 5 * DAY));
    const results: Row[][] = [];
    for (const ds of [staged.ds, plainDs]) {
      const labels = new LabelService(ds);
      const a = await importLabelsFile(ds, first, { at: t1, batchSize: 700, rejectsPath: path.join(dir, 'r1.csv') });
      t.true(a.rejected > 0 && a.accepted + a.rejected === 4000);
      // Between the two files: an operator's word on one label, another number's labels removed.
      await labels.setByOperator('17120000000', 'fraud', 0.3, { at: t1 });
      const [{ number }] = (await ds.query(`SELECT number FROM number_label ORDER BY numberKey, category LIMIT 1 OFFSET 100`)) as { number: string }[];
      t.true((await labels.clear(number, undefined, 'operator', t1)) > 0);
      await importLabelsFile(ds, second, { at: t2, batchSize: 3000, rejectsPath: path.join(dir, 'r2.csv') });
      await labels.importBatch([{ number: '+86 171 2000 0000', category: 'fraud', confidence: 0.99 }], { at: t2 });
      results.push(await labelRows(ds));
    }
    const [viaStage, viaInsert] = results;
    t.true(viaStage.length > 2000, `${viaStage.length}`);
    t.deepEqual(viaStage, viaInsert);
    t.like(
      viaStage.find((r) => r.number === '17120000000' && r.category === 'fraud'),
      { source: 'operator', confidence: '0.3' },
    );
    t.true(viaStage.some((r) => Number(r.evidenceCount) > 1), 'labels seen in both files counted twice');
    t.true(viaStage.some((r) => r.expiresAt !== 'null'));
    // As many versions handed out; each label under its own, so the feed carries every change once.
    t.is(await new LabelService(staged.ds).currentVersion(), await new LabelService(plainDs).currentVersion());
    const vs = await versions(staged.ds);
    t.is(new Set(vs).size, viaStage.length);
    const feed = await new LabelService(staged.ds).changesSince(0, 50_000);
    t.is(feed.changes.length, viaStage.length);
  } finally {
    await plainDs.destroy();
    await plain.drop();
    await staged.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function runCli(file: string, url: string, onStart?: (kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, file, '--batch', '1000'], {
      cwd: path.dirname(file),
      env: { ...process.env, DATABASE_URL: url, MIGRATE_ON_START: 'false', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, out }));
    onStart?.(() => child.kill('SIGKILL'));
  });
}

test('mariadb: labels:import killed mid-way resumes to the labels and rejects of an uninterrupted run', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-import-'));
  const killed = await createTestDb('mariadb');
  const reference = await createTestDb('mariadb');
  try {
    const file = labelFile(dir, 'labels.csv', 150_000, 9, new Date(Date.now() + 30 * DAY));
    const ref = await importLabelsFile(reference.ds, file, { batchSize: 1000, rejectsPath: path.join(dir, 'reference.rejects.csv') });

    const checkpoint = async () => {
      const rows = (await killed.ds.query(`SELECT lastLine, finishedAt FROM label_import`)) as { lastLine: number; finishedAt: unknown }[];
      return rows[0] ? { lastLine: Number(rows[0].lastLine), finished: rows[0].finishedAt !== null } : { lastLine: 0, finished: false };
    };
    const first = await runCli(file, killed.url, (kill) => {
      const poll = setInterval(() => {
        checkpoint().then((c) => {
          if (c.lastLine >= 3000) {
            clearInterval(poll);
            kill();
          }
        }, () => {});
      }, 5);
    });
    t.is(first.signal, 'SIGKILL');
    const cut = await checkpoint();
    t.false(cut.finished);
    t.true(cut.lastLine >= 3000 && cut.lastLine < 150_001, `${cut.lastLine}`);

    const second = await runCli(file, killed.url);
    t.is(second.code, 0, second.out);
    t.regex(second.out, new RegExp(`resumed after line ${cut.lastLine}; ${ref.accepted} labels accepted, ${ref.rejected} rejected`));
    t.true((await checkpoint()).finished);

    t.deepEqual(await labelRows(killed.ds, false), await labelRows(reference.ds, false));
    t.is(new Set(await versions(killed.ds)).size, (await labelRows(killed.ds, false)).length);
    const rejects = fs.readFileSync(path.join(dir, 'labels.rejects.csv'), 'utf8');
    t.is(rejects, fs.readFileSync(path.join(dir, 'reference.rejects.csv'), 'utf8'), 'every rejected line reported once, in order');
  } finally {
    await killed.drop();
    await reference.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
