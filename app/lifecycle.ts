// Opening and closing what a process needs, in one place for the server, the worker and the CLIs.
import { loadConfig, type Config } from './config';
import { openDatabase } from './db/datasource';
import type { Deps } from './deps';
import { createLogger, type Logger } from './log';
import { PhoneVault } from './privacy/phone-vault';
import { sealNumbersAtRest } from './privacy/seal-at-rest';
import { openStore } from './store';

export async function openDeps(config: Config = loadConfig(), opts: { migrate?: boolean; log?: Logger } = {}): Promise<Deps> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = await openStore(config.redisUrl, { prefix: config.redisKeyPrefix, onError: (err) => log.warn({ err }, 'redis error') });
  if (store.kind === 'memory') log.warn('REDIS_URL is unset: using the in-process store (single process only)');
  const migrate = opts.migrate ?? config.migrateOnStart;
  const db = await openDatabase(config.databaseUrl, { migrate });
  const vault = new PhoneVault(config.dataKey);
  // Migrations run without DATA_KEY; the rows they could not seal are sealed here by whoever migrates.
  if (migrate) await sealNumbersAtRest(db, vault, log);
  return { config, log, db, store, vault };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.store.close().catch(() => {});
  if (deps.db.isInitialized) await deps.db.destroy().catch(() => {});
}
