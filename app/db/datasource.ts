// DATABASE_URL picks the driver: mysql:// (MariaDB, MySQL, TiDB) or sqlite:path (the embedded default).
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { AdvancedConsoleLogger, DataSource, DataSourceOptions } from 'typeorm';
import { entities, migrations } from '../../entities';

/**
 * TypeORM's usual console logger, minus its slow-query lines: maxQueryExecutionTime is our query deadline
 * here, a query that reaches it fails (and is handled by its caller), and the line would print its SQL
 * and parameters (openids) to stdout outside the JSON log.
 */
class DeadlineLogger extends AdvancedConsoleLogger {
  override logQuerySlow(): void {}
}

export interface DatabaseTimeouts {
  /** Deadline of opening a MySQL connection (a stalled server or network never answers the handshake). */
  connectTimeoutMs?: number;
}

export function dataSourceOptions(url: string, timeouts: DatabaseTimeouts = {}): DataSourceOptions {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length) || './data/fsr.sqlite';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      type: 'better-sqlite3',
      database: file,
      entities,
      migrations,
      synchronize: false,
      // WAL lets the worker read while the web side writes; busy_timeout rides out the single-writer lock.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    type: 'mysql',
    host: u.hostname,
    port: Number(u.port || 3306),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    entities,
    migrations,
    synchronize: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    poolSize: Number(u.searchParams.get('pool') ?? 10),
    connectTimeout: timeouts.connectTimeoutMs, // unset: mysql2's 10 s (CLIs, tests); the server passes DB_CONNECT_TIMEOUT_MS
    logger: new DeadlineLogger(undefined),
    migrationsTransactionMode: 'each',
  };
}

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

export async function openDatabase(url: string, opts: { migrate: boolean; queryTimeoutMs?: number } & DatabaseTimeouts): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url, opts));
  await ds.initialize();
  if (isSqlite(ds)) serialiseTransactions(ds);
  if (opts.migrate) await migrate(ds);
  if (opts.queryTimeoutMs) enableQueryTimeout(ds, opts.queryTimeoutMs);
  return ds;
}

/**
 * Every MySQL query from now on gets a deadline (mysql2's per-query timeout): a stalled server or network
 * would otherwise hold a request, and its pooled connection, for as long as the stall lasts. Armed after
 * the migrations (and whatever else start-up runs), which may rightly run longer; 0 arms nothing. SQLite is in-process: nothing to wait for but its lock.
 */
export function enableQueryTimeout(ds: DataSource, ms: number): void {
  if (!ms || isSqlite(ds)) return;
  const o = ds.driver.options as { enableQueryTimeout?: boolean; maxQueryExecutionTime?: number };
  o.enableQueryTimeout = true;
  o.maxQueryExecutionTime = ms;
  discardTimedOutConnections(ds);
}

type Callback = (err: { code?: string } | null, ...rest: unknown[]) => void;
interface PooledConnection {
  query(...args: unknown[]): unknown;
  destroy(): void;
}

/**
 * mysql2 runs one command at a time per connection, and a query that timed out is still that command:
 * returned to the pool, its connection would hold every later query (a ROLLBACK included) queued behind
 * it, with no deadline running, for as long as the stall lasts. So a connection whose query timed out is
 * destroyed at once: what is queued on it fails now, and the pool opens a fresh one when it is needed.
 */
function discardTimedOutConnections(ds: DataSource): void {
  const pool = (ds.driver as unknown as { pool?: { on(event: 'acquire', fn: (c: PooledConnection) => void): void } }).pool;
  if (!pool) return;
  const watched = new WeakSet<PooledConnection>();
  pool.on('acquire', (conn) => {
    if (watched.has(conn)) return;
    watched.add(conn);
    const query = conn.query.bind(conn);
    conn.query = (...args: unknown[]) => {
      const last = args.length - 1;
      const cb = args[last];
      if (typeof cb === 'function') {
        args[last] = ((err, ...rest) => {
          if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') conn.destroy();
          (cb as Callback)(err, ...rest);
        }) satisfies Callback;
      }
      return query(...args);
    };
  });
}

/**
 * SQLite (better-sqlite3) is one connection: two overlapping transactions would fail with "cannot start a
 * transaction within a transaction". Transactions therefore queue, one at a time, in this process; a
 * transaction opened from inside another's callback joins the queue's current turn instead of waiting
 * for itself. MySQL needs none of this: each transaction has its own pooled connection.
 */
function serialiseTransactions(ds: DataSource): void {
  const turn = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  const original = ds.manager.transaction.bind(ds.manager) as (...args: unknown[]) => Promise<unknown>;
  (ds.manager as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    if (turn.getStore()) return original(...args);
    const run = tail.then(() => turn.run(true, () => original(...args)));
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Applies pending migrations. On MySQL a named lock serialises processes that start together, so ten web
 * processes booting at once run each migration once.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  if (isSqlite(ds)) return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  const runner = ds.createQueryRunner();
  try {
    const [row] = (await runner.query(`SELECT GET_LOCK('fsr_migrations', 120) AS got`)) as { got: number | string }[];
    if (Number(row.got) !== 1) throw new Error('could not take the migration lock within 120 s');
    try {
      return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
    } finally {
      await runner.query(`SELECT RELEASE_LOCK('fsr_migrations')`);
    }
  } finally {
    await runner.release();
  }
}
