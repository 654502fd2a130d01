// Per-reporter budgets shared by every process through the Store: a flood of reports from one account is
// refused before it touches the database.
import type { Store } from '../store';
import { REPORTER_LIMITS } from './report-policy';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export async function reporterWithinLimits(store: Store, reporterKey: string, now = Date.now()): Promise<boolean> {
  const hour = Math.floor(now / HOUR_MS);
  const day = Math.floor(now / DAY_MS);
  const [h, d] = await Promise.all([store.incr(`report:rate:h:${hour}:${reporterKey}`, HOUR_MS), store.incr(`report:rate:d:${day}:${reporterKey}`, DAY_MS)]);
  return h <= REPORTER_LIMITS.perHour && d <= REPORTER_LIMITS.perDay;
}
