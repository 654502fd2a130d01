// Deadlock retries for the notices module's short transactions. (On SQLite every transaction takes its turn
// on the one connection: app/db/datasource.ts.)
import { isRetryableDbError } from '../db/errors';

/** Runs `work` again when InnoDB rolled its transaction back whole (a deadlock victim, a lock wait timeout). */
export async function retryDeadlocks<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isRetryableDbError(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
    }
  }
}
