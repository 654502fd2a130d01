// npm run migrate: applies pending migrations to DATABASE_URL and says which.
import { loadConfig } from '../config';
import { migrate, openDatabase } from './datasource';

async function main() {
  const config = loadConfig();
  const ds = await openDatabase(config.databaseUrl, { migrate: false });
  const ran = await migrate(ds);
  console.log(ran.length ? `applied: ${ran.join(', ')}` : 'database is up to date');
  await ds.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
