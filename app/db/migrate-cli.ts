// npm run migrate: applies pending migrations to DATABASE_URL and says which.
import { loadConfig } from '../config';
import { openDatabase } from './datasource';

async function main() {
  const config = loadConfig();
  const ds = await openDatabase(config.databaseUrl, { migrate: false });
  const ran = await ds.runMigrations({ transaction: 'each' });
  console.log(ran.length ? `applied: ${ran.map((m) => m.name).join(', ')}` : 'database is up to date');
  await ds.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
