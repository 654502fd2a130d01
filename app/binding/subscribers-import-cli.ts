// npm run subscribers:import FILE.csv — existing registrations (phone,refused) into DATABASE_URL, with a
// progress bar on a terminal; run it again after an interruption and it resumes after the last committed
// batch; run it on a file imported before with --restart and every row updates its subscriber.
import { Command } from 'commander';
import { loadConfig } from '../config';
import { openDatabase } from '../db/datasource';
import { exitWith, runImportCommand } from '../imports/cli-output';
import { PhoneVault } from '../privacy/phone-vault';
import { importSubscribersFile } from './subscriber-import';

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('subscribers:import')
    .description('Import existing registrations from a CSV file: phone,refused (refused: category codes separated by |, empty for the protective default)')
    .argument('<file>', 'CSV file (a header line "phone,refused" is optional)')
    .option('--batch <rows>', 'rows per committed batch (default 200000 on MySQL, where the rows go in the phones\' hash order, 10000 on SQLite)', (v) => Number(v))
    .option('--restart', 'start over even if this file was (partly) imported before', false)
    .option('--rejects <file>', 'where rejected rows go (default FILE.rejects.csv)')
    .parse(argv);
  const [file] = program.args;
  const o = program.opts<{ batch?: number; restart: boolean; rejects?: string }>();
  if (o.batch !== undefined && !(o.batch >= 100 && o.batch <= 1_000_000)) throw new Error('--batch must be between 100 and 1000000');

  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl, { migrate: config.migrateOnStart });
  return runImportCommand(
    'subscribers',
    file,
    db,
    (onProgress) => importSubscribersFile({ db, vault: new PhoneVault(config.dataKey) }, file, { batchSize: o.batch, restart: o.restart, rejectsPath: o.rejects, onProgress }),
    (r) => `${r.accepted} subscribers accepted (${r.created} new, ${r.updated} updated)`,
  );
}

exitWith('subscribers:import', main(process.argv));
