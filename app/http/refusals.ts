// Refused requests (bad signatures, stale timestamps, downgrades, oversized bodies) are what an attacker or a
// misconfigured peer sends by the thousand: each is counted in one series, and the log hears of them at
// most a few times a minute, with how many were left out, so junk cannot flood the logs or the disk.
import client from 'prom-client';
import type { Logger } from '../log';
import { registry } from '../metrics';

export const refusedRequests = new client.Counter({
  name: 'fsr_refused_requests_total',
  help: 'Requests refused before reaching a handler (signature, stale timestamp, plain in safe mode, body too large…), by route group and reason',
  labelNames: ['route', 'reason'] as const,
  registers: [registry],
});

export interface RefusalLogOptions {
  /** Lines per window; the rest are only counted. */
  perWindow?: number;
  windowMs?: number;
  now?: () => number;
}

export class RefusalLog {
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    opts: RefusalLogOptions = {},
  ) {
    this.perWindow = opts.perWindow ?? 3;
    this.windowMs = opts.windowMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Counts the refusal and logs it if this window still has room. */
  refused(route: string, reason: string, status: number): void {
    refusedRequests.inc({ route, reason });
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      const left = this.suppressed;
      this.windowStart = t;
      this.logged = 0;
      this.suppressed = 0;
      if (left > 0) this.log.warn({ suppressed: left, windowMs: this.windowMs }, 'more requests were refused; see fsr_refused_requests_total');
    }
    if (this.logged < this.perWindow) {
      this.logged += 1;
      this.log.warn({ route, reason, status }, 'request refused');
    } else {
      this.suppressed += 1;
    }
  }
}
