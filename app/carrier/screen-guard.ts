// The network waits for our answer on every call set-up, and fails open anyway when we are slow: a screen
// that cannot be decided in time (a callee whose preferences need a stalled database, a store that does
// not answer) is answered `allow` with reason `degraded` at the deadline, and so is one whose decision
// failed. The decision may still finish in the background; nothing waits for it. Never a 5xx, never a hang.
import type { Logger } from '../log';
import { Deadlines } from '../store/deadline';
import { carrierDegraded } from './metrics';
import type { ScreenService } from './ports';
import type { Decision } from './schemas';

/** How long a screen or batch may take inside the handler; the rest of the 100 ms is auth and transport. */
export const SCREEN_DEADLINE_MS = 50;

export const DEGRADED: Decision = Object.freeze({ action: 'allow', reason: 'degraded' }) as Decision;

const LOG_EVERY_MS = 10_000;

export function guardScreen(engine: ScreenService, opts: { deadlineMs?: number; log?: Pick<Logger, 'warn'> } = {}): ScreenService {
  const ms = opts.deadlineMs ?? SCREEN_DEADLINE_MS;
  const deadlines = new Deadlines();
  let lastLogAt = 0;
  let unlogged = 0;
  const degrade = (err: unknown, calls: number) => {
    const cause = (err as Error)?.name === 'DeadlineExceeded' ? 'timeout' : 'error';
    carrierDegraded.inc({ cause }, calls);
    unlogged += calls;
    const now = Date.now();
    if (now - lastLogAt >= LOG_EVERY_MS) {
      opts.log?.warn({ cause, screens: unlogged, err: cause === 'error' ? err : undefined, deadlineMs: ms }, 'screen not decided in time: answered allow/degraded');
      lastLogAt = now;
      unlogged = 0;
    }
  };
  return {
    async screen(call) {
      try {
        return await deadlines.run(ms, engine.screen(call));
      } catch (err) {
        degrade(err, 1);
        return DEGRADED;
      }
    },
    async screenBatch(calls) {
      try {
        return await deadlines.run(ms, engine.screenBatch(calls));
      } catch (err) {
        degrade(err, calls.length);
        return calls.map(() => DEGRADED);
      }
    },
  };
}
