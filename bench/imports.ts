// The two CSV imports into MariaDB, side by side in one run: a million registrations through
// subscribers:import (five tables a row, numbers sealed) beside a label import of the same million numbers
// (one table), each into a fresh database, in alternating rounds (other work on the machine comes and
// goes); the round whose ratio is the median is reported, every round's ratio beside it. The carrier
// benchmark's cold-callee phase imports the same way once, as the set-up of its screens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSubscribersFile } from '../app/binding/subscriber-import';
import { openDatabase } from '../app/db/datasource';
import { importLabelsFile } from '../app/labels/import';
import { PhoneVault } from '../app/privacy/phone-vault';
import { createDatabaseUrl } from '../test/support/backends';
import type { Figure } from './results-table';

export interface ImportsBenchOptions {
  rows?: number;
  rounds?: number;
}

interface Round {
  subscribersPerSec: number;
  labelsPerSec: number;
  reimportPerSec: number;
  ratio: number;
}

const PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189'];

/** `n` distinct random mobiles as a registration file (one in ten refusing two categories only) and as a label file. */
function files(n: number, dir: string): { registrations: string; labels: string } {
  const seen = new Set<string>();
  const registrations = path.join(dir, 'registrations.csv');
  const labels = path.join(dir, 'labels.csv');
  const r = fs.openSync(registrations, 'w');
  const l = fs.openSync(labels, 'w');
  let rs = 'phone,refused\n';
  let ls = 'number,category\n';
  while (seen.size < n) {
    const p = PREFIXES[Math.floor(Math.random() * PREFIXES.length)] + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    if (seen.has(p)) continue;
    seen.add(p);
    rs += seen.size % 10 === 0 ? `${p},insurance|loan_finance\n` : `${p},\n`;
    ls += `${p},insurance\n`;
    if (rs.length > 1 << 20) {
      fs.writeSync(r, rs);
      fs.writeSync(l, ls);
      rs = ls = '';
    }
  }
  fs.writeSync(r, rs);
  fs.writeSync(l, ls);
  fs.closeSync(r);
  fs.closeSync(l);
  return { registrations, labels };
}

async function round(f: { registrations: string; labels: string }, reimportRows: number, dir: string): Promise<Round> {
  const vault = new PhoneVault(crypto.randomBytes(32));
  const subs = await createDatabaseUrl('mariadb');
  const labelsDb = await createDatabaseUrl('mariadb');
  try {
    const ds = await openDatabase(subs.url, { migrate: true });
    const s = await importSubscribersFile({ db: ds, vault }, f.registrations);
    // A re-import of part of the file: every row an update of a phone bound before.
    const part = path.join(dir, 'again.csv');
    fs.writeFileSync(part, fs.readFileSync(f.registrations, 'utf8').split('\n', reimportRows + 1).join('\n') + '\n');
    const again = await importSubscribersFile({ db: ds, vault }, part);
    await ds.destroy();
    const lds = await openDatabase(labelsDb.url, { migrate: true });
    const l = await importLabelsFile(lds, f.labels);
    await lds.destroy();
    const subscribersPerSec = Math.round(s.accepted / s.seconds);
    const labelsPerSec = Math.round(l.accepted / l.seconds);
    console.log(`imports: ${s.accepted} subscribers at ${subscribersPerSec} rows/s (${s.created} new), labels at ${labelsPerSec} rows/s; re-import of ${again.updated} at ${Math.round(again.accepted / again.seconds)} rows/s`);
    return { subscribersPerSec, labelsPerSec, reimportPerSec: Math.round(again.accepted / again.seconds), ratio: Number((subscribersPerSec / labelsPerSec).toFixed(3)) };
  } finally {
    await subs.drop();
    await labelsDb.drop();
  }
}

export async function benchImports(o: ImportsBenchOptions = {}) {
  const rows = o.rows ?? 1_000_000;
  const rounds = o.rounds ?? 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-bench-imports-'));
  try {
    const f = files(rows, dir);
    const all: Round[] = [];
    for (let i = 0; i < rounds; i++) all.push(await round(f, Math.min(100_000, rows), dir));
    const median = [...all].sort((a, b) => a.ratio - b.ratio)[Math.floor(all.length / 2)];
    const figures: Figure[] = [
      { figure: `subscribers:import of ${rows.toLocaleString('en-US')} new registrations into MariaDB, rows/s (label import of the same numbers as baseline; median round)`, project: median.subscribersPerSec, baseline: median.labelsPerSec, ratio: median.ratio, aim: '≥ 50,000', met: median.subscribersPerSec >= 50_000 },
      { figure: 'subscribers:import, ratio to the label import in every round', project: all.map((r) => r.ratio).join(', ') },
      { figure: 'subscribers:import, rows/s in every round', project: all.map((r) => r.subscribersPerSec.toLocaleString('en-US')).join(', ') },
      { figure: `re-import of ${Math.min(100_000, rows).toLocaleString('en-US')} of them (every row an update), rows/s`, project: median.reimportPerSec },
    ];
    return { rows, rounds: all, figures };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
