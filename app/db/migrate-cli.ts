// npm run migrate: applies pending migrations to DATABASE_URL and says which.
import { loadConfig } from '../config';
import { PhoneVault } from '../privacy/phone-vault';
import { sealNumbersAtRest } from '../privacy/seal-at-rest';
import { migrate, openDatabase } from './datasource';

async function main() {
  const config = loadConfig();
  const ds = await openDatabase(config.databaseUrl, { migrate: false });
  const ran = await migrate(ds);
  console.log(ran.length ? `applied: ${ran.join(', ')}` : 'database is up to date');
  // Numbers written in clear before they were sealed at rest need DATA_KEY, which only this step has.
  const sealed = await sealNumbersAtRest(ds, new PhoneVault(config.dataKey));
  for (const [table, rows] of Object.entries(sealed)) if (rows > 0) console.log(`sealed ${rows} numbers in ${table}`);
  await ds.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
