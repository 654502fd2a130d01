// One send rate for every worker of the deployment, counted through the Store (Redis): fixed one-second
// windows. WeChat limits the account, not the process, so N workers must share one budget. A 45009 from
// WeChat pauses every worker for a while through the same Store.
import type { Store } from '../store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PAUSE_KEY = 'notices:wechat:paused';

export class SendRate {
  constructor(
    private readonly store: Store,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for one send slot; gives up (false) when it would have to wait past `deadline` (epoch ms). */
  async take(deadline: number): Promise<boolean> {
    for (;;) {
      const t = this.now();
      const second = Math.floor(t / 1000);
      const n = await this.store.incr(`notices:rate:${second}`, 2000);
      if (n <= this.perSecond) return true;
      const next = (second + 1) * 1000;
      if (next >= deadline) return false;
      await sleep(next - t);
    }
  }

  /** WeChat said "too many": everyone holds off for `ms`. */
  async pause(ms: number): Promise<void> {
    await this.store.set(PAUSE_KEY, '1', { ttlMs: Math.max(1, Math.round(ms)) });
  }

  /** Milliseconds the pause has left, 0 when none. */
  async paused(): Promise<number> {
    const ttl = await this.store.ttl(PAUSE_KEY);
    return ttl > 0 ? ttl : 0;
  }
}
