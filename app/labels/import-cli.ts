// npm run labels:import FILE.csv — loads a label file into DATABASE_URL with a progress bar; run it again
// after an interruption and it resumes after the last committed batch.
import { Command } from 'commander';
import { loadConfig } from '../config';
import { openDatabase } from '../db/datasource';
import { exitWith, runImportCommand } from '../imports/cli-output';
import { loadPublicServiceNumbers } from '../protection/public-service-sync';
import { importLabelsFile } from './import';

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('labels:import')
    .description('Import number labels from a CSV file: number,category[,confidence][,expires]')
    .argument('<file>', 'CSV file (a header line "number,category,…" is optional)')
    .option('--batch <rows>', 'lines per committed batch (default 100000 on MySQL, 10000 on SQLite)', (v) => Number(v))
    .option('--confidence <0..1>', 'confidence of rows without one', (v) => Number(v), 0.8)
    .option('--restart', 'start over even if this file was partly imported before', false)
    .option('--rejects <file>', 'where rejected rows go (default FILE.rejects.csv)')
    .parse(argv);
  const [file] = program.args;
  const o = program.opts<{ batch?: number; confidence: number; restart: boolean; rejects?: string }>();
  if (o.batch !== undefined && !(o.batch >= 100 && o.batch <= 2_000_000)) throw new Error('--batch must be between 100 and 2000000');
  if (!(o.confidence >= 0 && o.confidence <= 1)) throw new Error('--confidence must be between 0 and 1');

  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl, { migrate: config.migrateOnStart });
  // The operator's public-service additions are rejected like the built-in ones (reason public_service).
  await loadPublicServiceNumbers(db);
  return runImportCommand(
    'labels',
    file,
    db,
    (onProgress) => importLabelsFile(db, file, { batchSize: o.batch, defaultConfidence: o.confidence, restart: o.restart, rejectsPath: o.rejects, onProgress }),
    (r) => `${r.accepted} labels accepted`,
  );
}

exitWith('labels:import', main(process.argv));
