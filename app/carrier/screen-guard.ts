// The network waits for our answer on every call set-up, and fails open anyway when we are slow: a screen
// that cannot be decided in time (a callee whose preferences need a stalled database, a store that does
// not answer) is answered `allow` with reason `degraded` at the deadline, and so is one whose decision
// failed. The decision may still finish in the background; nothing waits for it. Never a 5xx, never a hang.
import type { Logger } from '../log';
import { LogThrottle } from '../log-throttle';
import { Deadlines } from '../store/deadline';
import { carrierDegraded } from './metrics';
import type { ScreenService } from './ports';
import type { Decision } from './schemas';

/** How long a screen or batch may take inside the handler (CARRIER_SCREEN_DEADLINE_MS); the rest of the 100 ms is auth and transport. */
export const SCREEN_DEADLINE_MS = 50;

export const DEGRADED: Decision = Object.freeze({ action: 'allow', reason: 'degraded' }) as Decision;

export function guardScreen(engine: ScreenService, opts: { deadlineMs?: number; log?: Pick<Logger, 'warn'> } = {}): ScreenService {
  const ms = opts.deadlineMs ?? SCREEN_DEADLINE_MS;
  const deadlines = new Deadlines();
  const logThrottle = new LogThrottle();
  const degrade = (err: unknown, calls: number) => {
    const cause = (err as Error)?.name === 'DeadlineExceeded' ? 'timeout' : 'error';
    carrierDegraded.inc({ cause }, calls);
    const screens = logThrottle.hit(calls);
    if (screens) opts.log?.warn({ cause, screens, err: cause === 'error' ? err : undefined, deadlineMs: ms }, 'screen not decided in time: answered allow/degraded');
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
