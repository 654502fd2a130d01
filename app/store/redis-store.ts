import { createClient, createCluster } from 'redis';
import type { SetOptions, Store } from './store';

const INCR_WITH_TTL = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;
const INCRBY_WITH_TTL = `local n = redis.call('INCRBY', KEYS[1], ARGV[1]) if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return n`;
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// node-redis' client and cluster share the commands we use; the structural type keeps both honest.
type Client = ReturnType<typeof createClient>;

/** How long any command may take before it is rejected (node-redis' own default, now kept by us). */
const COMMAND_TIMEOUT_MS = 5000;

/** Redis or Redis Cluster. Every key is single-key, so each command routes to one shard. */
export class RedisStore implements Store {
  readonly kind: 'redis' | 'redis-cluster';
  private subscriber?: Client;
  private readonly deadline = new CommandDeadline(COMMAND_TIMEOUT_MS);

  private constructor(
    private readonly client: Client,
    kind: 'redis' | 'redis-cluster',
    private readonly prefix: string,
    private readonly onError: (err: Error) => void,
  ) {
    this.kind = kind;
  }

  static async connect(url: string, opts: { prefix?: string; onError?: (err: Error) => void } = {}): Promise<RedisStore> {
    const onError = opts.onError ?? (() => {});
    let client: Client;
    let kind: 'redis' | 'redis-cluster' = 'redis';
    if (url.startsWith('redis-cluster://')) {
      kind = 'redis-cluster';
      const rootNodes = url
        .slice('redis-cluster://'.length)
        .split(',')
        .map((hp) => ({ url: `redis://${hp}` }));
      client = createCluster({ rootNodes }) as unknown as Client;
    } else {
      // timeout 0: node-redis would arm an AbortSignal.timeout per command; CommandDeadline bounds them instead.
      client = createClient({ url, socket: { reconnectStrategy: (n) => Math.min(n * 100, 2000) }, commandOptions: { timeout: 0 } });
    }
    client.on('error', onError);
    await client.connect();
    return new RedisStore(client, kind, opts.prefix ?? 'fsr:', onError);
  }

  private k(key: string) {
    return this.prefix + key;
  }

  async get(key: string) {
    return (await this.deadline.run(this.client.get(this.k(key)))) as string | null;
  }

  async set(key: string, value: string, opts: SetOptions = {}) {
    const o: Record<string, unknown> = {};
    if (opts.ttlMs) o.PX = Math.max(1, Math.round(opts.ttlMs));
    if (opts.nx) o.NX = true;
    const r = await this.deadline.run(this.client.set(this.k(key), value, o));
    return r === 'OK';
  }

  async del(key: string) {
    await this.deadline.run(this.client.del(this.k(key)));
  }

  async incr(key: string, ttlMs: number) {
    return Number(await this.deadline.run(this.client.eval(INCR_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(ttlMs))] })));
  }

  async incrBy(key: string, by: number, ttlMs: number) {
    return Number(await this.deadline.run(this.client.eval(INCRBY_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(by)), String(Math.round(ttlMs))] })));
  }

  async ttl(key: string) {
    return Number(await this.deadline.run(this.client.pTTL(this.k(key))));
  }

  async compareAndDelete(key: string, expected: string) {
    return Number(await this.deadline.run(this.client.eval(COMPARE_AND_DELETE, { keys: [this.k(key)], arguments: [expected] }))) === 1;
  }

  async publish(channel: string, message: string) {
    await this.deadline.run(this.client.publish(this.k(channel), message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('error', this.onError);
      await this.subscriber.connect();
    }
    await this.subscriber.subscribe(this.k(channel), (m: string) => onMessage(m));
  }

  async ping() {
    try {
      if (this.kind === 'redis') return (await this.deadline.run(this.client.ping())) === 'PONG';
      await this.deadline.run(this.client.get(this.k('ping')));
      return true;
    } catch {
      return false;
    }
  }

  async close() {
    this.deadline.stop();
    await this.subscriber?.quit().catch(() => {});
    await this.client.quit().catch(() => {});
  }
}

/** A command Redis did not answer in time: the caller fails open or retries, as for any store error. */
export class CommandTimeout extends Error {
  constructor(readonly ms: number) {
    super(`Redis command did not answer within ${ms} ms`);
    this.name = 'CommandTimeout';
  }
}

interface Pending {
  due: number;
  reject: (err: Error) => void;
  settled: boolean;
}

// One coarse timer keeps every command's deadline, instead of node-redis' AbortSignal.timeout per command
// (a timer, a signal, a listener and a DOMException each: ~6% of the carrier API's CPU). A stalled or
// unreachable Redis still cannot hold a request for longer than the timeout plus one tick.
class CommandDeadline {
  // Every command gets the same timeout, so deadlines come due in order: a queue swept from the front.
  private queue: Pending[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;
  private readonly tickMs: number;

  constructor(readonly ms: number) {
    this.tickMs = Math.max(10, Math.min(250, Math.floor(ms / 4)));
  }

  run<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { due: Date.now() + this.ms, reject, settled: false };
      this.queue.push(entry);
      this.timer ??= setInterval(() => this.sweep(), this.tickMs).unref();
      command.then(
        (v) => {
          entry.settled = true;
          resolve(v);
        },
        (err: Error) => {
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
        e.reject(new CommandTimeout(this.ms));
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
