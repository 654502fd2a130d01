// One subscribers:import of IMPORT_PROBE_ROWS (1M) new registrations into a fresh MariaDB database, with
// where the CPU went: MariaDB's (its process, from /proc, so other traffic on the server counts too) and
// this process's (every thread, the sealing threads included) per row, and the first pass's seconds.
// Wall-clock rows/s on a shared machine swing by ±15% between runs; the CPU per row is what to compare,
// two builds alternately (a worktree of the other build, the same file). `IMPORT_PROBE_SEAL=N` sets the
// sealing threads, `IMPORT_PROBE_BATCH=N` the rows a batch, and `IMPORT_PROBE_TRACE=1` prints when each
// batch committed. `node dist/bench/import-probe.js`; not part of `npm run bench`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { execSync } from 'node:child_process';
import { importSubscribersFile } from '../app/binding/subscriber-import';
import { openDatabase } from '../app/db/datasource';
import { PhoneVault } from '../app/privacy/phone-vault';
import { createDatabaseUrl } from '../test/support/backends';
import { registrationFile } from './carrier';

const rowsWanted = Number(process.env.IMPORT_PROBE_ROWS ?? 1_000_000);
// Kept between runs (and between builds) so that alternate runs import the same numbers.
const file = `/tmp/fsr-import-probe-${rowsWanted}.csv`;
const mariaPid = execSync('pidof mariadbd').toString().trim();
const ticks = () => { const f = fs.readFileSync(`/proc/${mariaPid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10_000; };
async function main() {
  if (!fs.existsSync(file)) registrationFile(rowsWanted, file);
  const vault = new PhoneVault(crypto.randomBytes(32));
  const db = await createDatabaseUrl('mariadb');
  try {
    const ds = await openDatabase(db.url, { migrate: true });
    const m0 = ticks(); const c0 = process.cpuUsage(); const t0 = Date.now();
    const commits: string[] = [];
    const s = await importSubscribersFile({ db: ds, vault }, file, {
      ...(process.env.IMPORT_PROBE_SEAL ? { sealThreads: Number(process.env.IMPORT_PROBE_SEAL) } : {}),
      ...(process.env.IMPORT_PROBE_BATCH ? { batchSize: Number(process.env.IMPORT_PROBE_BATCH) } : {}),
      // When each batch committed, seconds from the start: where the pipeline's head and tail go.
      onProgress: () => commits.push(((Date.now() - t0) / 1000).toFixed(1)),
    });
    const wall = (Date.now() - t0) / 1000; const c = process.cpuUsage(c0); const m = ticks() - m0;
    if (process.env.IMPORT_PROBE_TRACE) console.log(`batches committed at ${commits.join(', ')} s`);
    console.log(`${s.accepted} rows in ${wall.toFixed(1)} s = ${Math.round(s.accepted / wall)} rows/s; read ${s.readSeconds?.toFixed(1)} s; mariadb ${(m / s.accepted).toFixed(1)} us/row; node ${((c.user + c.system) / s.accepted).toFixed(1)} us/row`);
    await ds.destroy();
  } finally { await db.drop(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
