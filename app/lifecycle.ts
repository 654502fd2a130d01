// Opening and closing what a process needs, in one place for the server, the worker and the CLIs.
import { loadConfig, type Config } from './config';
import { enableQueryTimeout, openDatabase } from './db/datasource';
import type { Deps } from './deps';
import { createLogger, type Logger } from './log';
import { LogThrottle } from './log-throttle';
import { PhoneVault } from './privacy/phone-vault';
import { sealNumbersAtRest } from './privacy/seal-at-rest';
import { openStore, type Store } from './store';

export async function openDeps(config: Config = loadConfig(), opts: { migrate?: boolean; log?: Logger } = {}): Promise<Deps> {
  const log = opts.log ?? createLogger(config.logLevel);
  const store = await openConfiguredStore(config, log);
  const migrate = opts.migrate ?? config.migrateOnStart;
  const db = await openDatabase(config.databaseUrl, { migrate, connectTimeoutMs: config.dbConnectTimeoutMs });
  const vault = new PhoneVault(config.dataKey);
  // Migrations run without DATA_KEY; the rows they could not seal are sealed here by whoever migrates.
  if (migrate) await sealNumbersAtRest(db, vault, log);
  // Request-path queries get their deadline only now: migrating and sealing may rightly take longer.
  enableQueryTimeout(db, config.dbQueryTimeoutMs);
  return { config, log, db, store, vault };
}

/** The store alone (REDIS_URL, or the in-process one), for a command that needs no database (menu:publish). */
export async function openConfiguredStore(config: Config, log: Logger): Promise<Store> {
  const store = await openStore(config.redisUrl, {
    prefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    onError: redisErrorLog(log),
    onHealth: (up, why) => (up ? log.info('redis answers again: shared state back in use') : log.warn({ why }, 'redis is down: commands fail fast, screens and callbacks use process-local fallbacks')),
  });
  if (store.kind === 'memory') log.warn('REDIS_URL is unset: using the in-process store (single process only)');
  return store;
}

/** A reconnecting client reports every failed attempt: one line per 10 s is enough to say Redis is away. */
function redisErrorLog(log: Deps['log']): (err: Error) => void {
  const throttle = new LogThrottle();
  return (err) => {
    const errors = throttle.hit();
    if (errors) log.warn({ err, errors }, 'redis error');
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.store.close().catch(() => {});
  if (deps.db.isInitialized) await deps.db.destroy().catch(() => {});
}
