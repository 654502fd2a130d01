// Deadlines for many short operations at once (store commands, screens) without a timer per operation: a
// timer, a signal and a listener each cost the carrier API ~6% of its CPU. One coarse interval per
// timeout value sweeps a queue; since every entry of one queue has the same timeout, deadlines come due
// in order and the sweep only ever looks at the front. An operation can overrun by at most one tick.

/** The operation did not settle within its deadline; it may still complete later, unobserved. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly ms: number,
    what = 'operation',
  ) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

interface Pending {
  due: number;
  expire: () => void;
  settled: boolean;
}

export class DeadlineQueue {
  private queue: Pending[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;
  private readonly tickMs: number;

  constructor(
    readonly ms: number,
    private readonly timeoutError: (ms: number) => Error = (ms) => new DeadlineExceeded(ms),
  ) {
    this.tickMs = Math.max(5, Math.min(250, Math.floor(ms / 4)));
  }

  /** `work`'s outcome, or a rejection with the timeout error once `ms` have passed; `onExpire` runs then. */
  run<T>(work: Promise<T>, onExpire?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        due: Date.now() + this.ms,
        settled: false,
        expire: () => {
          reject(this.timeoutError(this.ms));
          onExpire?.();
        },
      };
      this.queue.push(entry);
      this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
      work.then(
        (v) => {
          entry.settled = true;
          resolve(v);
        },
        (err: unknown) => {
          entry.settled = true;
          reject(err);
        },
      );
    });
  }

  private sweep(now = Date.now()): void {
    const q = this.queue;
    let i = this.head;
    while (i < q.length && (q[i].settled || q[i].due <= now)) {
      const e = q[i++];
      if (!e.settled) {
        e.settled = true;
        e.expire();
      }
    }
    if (i === q.length) {
      this.queue = [];
      this.head = 0;
      this.stop();
    } else if (i > 1024 && i * 2 > q.length) {
      this.queue = q.slice(i);
      this.head = 0;
    } else this.head = i;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** One queue per distinct timeout, created on first use. */
export class Deadlines {
  private readonly queues = new Map<number, DeadlineQueue>();

  constructor(private readonly timeoutError?: (ms: number) => Error) {}

  run<T>(ms: number, work: Promise<T>, onExpire?: () => void): Promise<T> {
    let q = this.queues.get(ms);
    if (!q) this.queues.set(ms, (q = new DeadlineQueue(ms, this.timeoutError)));
    return q.run(work, onExpire);
  }

  stop(): void {
    for (const q of this.queues.values()) q.stop();
  }
}
