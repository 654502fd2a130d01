// A line per event would flood the log exactly when a part is down and every request notices it: such
// events are counted, and a line (with the count) is written at most once per interval.
export class LogThrottle {
  private lastAt = 0;
  private unlogged = 0;

  constructor(private readonly everyMs = 10_000) {}

  /** Counts `n` events; returns how many the due line should report, or 0 when no line is due yet. */
  hit(n = 1, now = Date.now()): number {
    this.unlogged += n;
    if (now - this.lastAt < this.everyMs) return 0;
    this.lastAt = now;
    const count = this.unlogged;
    this.unlogged = 0;
    return count;
  }
}
