// Database errors that mean "the work was right, its timing was not": the transaction was rolled back whole
// and may run again from a fresh read. One list for MariaDB/MySQL and SQLite.
interface DriverError {
  code?: string;
  errno?: number;
  driverError?: { code?: string; errno?: number };
}

/** InnoDB deadlock victim (1213). */
const DEADLOCK = 1213;
/** InnoDB lock wait timeout (1205). */
const LOCK_WAIT = 1205;
/** A unique key a concurrent insert took first (1062). */
const DUPLICATE_KEY = 1062;

export interface RetryableOptions {
  /**
   * Count a duplicate key as a lost race: right where the work reads before it inserts (ensure a row,
   * then update it), wrong where a duplicate is the answer (an idempotent insert).
   */
  duplicateKey?: boolean;
}

export function isRetryableDbError(err: unknown, opts: RetryableOptions = {}): boolean {
  const e = (err ?? {}) as DriverError;
  const code = e.driverError?.code ?? e.code;
  const errno = e.driverError?.errno ?? e.errno;
  if (errno === DEADLOCK || errno === LOCK_WAIT || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY') return true;
  return opts.duplicateKey === true && (errno === DUPLICATE_KEY || code === 'ER_DUP_ENTRY');
}
