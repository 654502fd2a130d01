import { createClient, createCluster } from 'redis';
import { Deadlines } from './deadline';
import { watchStoreHealth } from './metrics';
import type { CallOptions, SetOptions, Store } from './store';

const INCR_WITH_TTL = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;
const INCRBY_WITH_TTL = `local n = redis.call('INCRBY', KEYS[1], ARGV[1]) if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return n`;
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// node-redis' client and cluster share the commands we use; the structural type keeps both honest.
type Client = ReturnType<typeof createClient>;

/** How long a command may take when its caller names no budget of its own. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/** A command that got no answer at all makes us ask Redis a PING with this much patience before calling it down. */
const STALL_PROBE_MS = 250;
/** While down, how often we ask again. */
const RECOVERY_PROBE_EVERY_MS = 200;

export interface RedisStoreOptions {
  prefix?: string;
  onError?: (err: Error) => void;
  /** The default deadline of a command (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs?: number;
  /** Told once when Redis stops answering and once when it answers again. */
  onHealth?: (up: boolean, why: string) => void;
}

/** A command Redis did not answer in time: the caller fails open or retries, as for any store error. */
export class CommandTimeout extends Error {
  constructor(readonly ms: number) {
    super(`Redis command did not answer within ${ms} ms`);
    this.name = 'CommandTimeout';
  }
}

/** Redis is known to be stalled or unreachable: the command was not sent, so it failed at once. */
export class StoreUnavailable extends Error {
  constructor() {
    super('Redis is not answering (stalled or unreachable); command not sent');
    this.name = 'StoreUnavailable';
  }
}

/**
 * Redis or Redis Cluster. Every key is single-key, so each command routes to one shard.
 *
 * Failing fast: every command has a deadline (its caller's, or the default). A command that got no
 * answer at all in its time makes the store probe Redis; a probe unanswered for STALL_PROBE_MS marks it
 * down, and from then on commands fail at once (StoreUnavailable) instead of each waiting out its
 * deadline, until a probe is answered again. While disconnected, node-redis' offline queue is off, so a
 * command fails at once instead of waiting for the reconnection.
 */
export class RedisStore implements Store {
  readonly kind: 'redis' | 'redis-cluster';
  private subscriber?: Client;
  private readonly deadlines = new Deadlines((ms) => new CommandTimeout(ms));
  private readonly timeoutMs: number;
  private up = true;
  /** Replies seen so far: "no reply since X was sent" is this count unchanged (timestamps tie within a ms). */
  private replies = 0;
  private probing = false;
  private recoveryTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly unwatch: () => void;

  private constructor(
    private readonly client: Client,
    kind: 'redis' | 'redis-cluster',
    private readonly prefix: string,
    private readonly onError: (err: Error) => void,
    private readonly opts: RedisStoreOptions,
  ) {
    this.kind = kind;
    this.timeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.unwatch = watchStoreHealth(this);
  }

  static async connect(url: string, opts: RedisStoreOptions = {}): Promise<RedisStore> {
    const onError = opts.onError ?? (() => {});
    let client: Client;
    let kind: 'redis' | 'redis-cluster' = 'redis';
    const socket = { connectTimeout: 2000, reconnectStrategy: (n: number) => Math.min(50 + n * 50, 500) };
    if (url.startsWith('redis-cluster://')) {
      kind = 'redis-cluster';
      const rootNodes = url
        .slice('redis-cluster://'.length)
        .split(',')
        .map((hp) => ({ url: `redis://${hp}` }));
      client = createCluster({ rootNodes, defaults: { socket, disableOfflineQueue: true } }) as unknown as Client;
    } else {
      // timeout 0: node-redis would arm an AbortSignal.timeout per command; our Deadlines bound them instead.
      client = createClient({ url, socket, disableOfflineQueue: true, commandOptions: { timeout: 0 } });
    }
    const store = { current: undefined as RedisStore | undefined };
    client.on('error', (err: Error) => {
      onError(err);
      // A lost connection: commands fail at once anyway (no offline queue); the probe tells when it is back.
      if (!client.isReady) store.current?.markDown('connection lost');
    });
    await client.connect();
    store.current = new RedisStore(client, kind, opts.prefix ?? 'fsr:', onError, opts);
    return store.current;
  }

  private k(key: string) {
    return this.prefix + key;
  }

  /** Runs a command within its deadline; at once refused while Redis is known down. */
  private run<T>(command: () => Promise<T>, opts?: CallOptions): Promise<T> {
    if (!this.up) return Promise.reject(new StoreUnavailable());
    const repliesAtSend = this.replies;
    let work: Promise<T>;
    try {
      work = command();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.deadlines.run(
      opts?.timeoutMs ?? this.timeoutMs,
      work.then((v) => {
        this.replies++;
        return v;
      }),
      () => {
        // Nothing at all came back since this command left: Redis may be stalled. Ask it directly.
        if (this.replies === repliesAtSend) this.probeStall();
      },
    );
  }

  private probeStall(): void {
    if (this.probing || !this.up || this.closed) return;
    this.probing = true;
    const repliesAtSend = this.replies;
    this.deadlines
      .run(STALL_PROBE_MS, this.pingCommand())
      .then(
        () => {
          this.replies++;
        },
        () => {
          if (this.replies === repliesAtSend) this.markDown(`no answer within ${STALL_PROBE_MS} ms`);
        },
      )
      .finally(() => (this.probing = false));
  }

  private markDown(why: string): void {
    if (!this.up || this.closed) return;
    this.up = false;
    this.opts.onHealth?.(false, why);
    this.recoveryTimer = setInterval(() => this.probeRecovery(), RECOVERY_PROBE_EVERY_MS).unref();
  }

  private probeRecovery(): void {
    if (this.probing || this.closed) return;
    this.probing = true;
    this.deadlines
      .run(this.timeoutMs, this.pingCommand())
      .then(
        () => {
          this.replies++;
          if (this.up) return;
          this.up = true;
          clearInterval(this.recoveryTimer);
          this.recoveryTimer = undefined;
          this.opts.onHealth?.(true, 'answers again');
        },
        () => {},
      )
      .finally(() => (this.probing = false));
  }

  private pingCommand(): Promise<unknown> {
    try {
      return this.kind === 'redis' ? this.client.ping() : this.client.get(this.k('ping'));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** False while Redis is known stalled or unreachable. */
  get healthy(): boolean {
    return this.up;
  }

  async get(key: string, opts?: CallOptions) {
    return (await this.run(() => this.client.get(this.k(key)), opts)) as string | null;
  }

  async set(key: string, value: string, opts: SetOptions = {}) {
    const o: Record<string, unknown> = {};
    if (opts.ttlMs) o.PX = Math.max(1, Math.round(opts.ttlMs));
    if (opts.nx) o.NX = true;
    const r = await this.run(() => this.client.set(this.k(key), value, o), opts);
    return r === 'OK';
  }

  async del(key: string, opts?: CallOptions) {
    await this.run(() => this.client.del(this.k(key)), opts);
  }

  async incr(key: string, ttlMs: number, opts?: CallOptions) {
    return Number(await this.run(() => this.client.eval(INCR_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(ttlMs))] }), opts));
  }

  async incrBy(key: string, by: number, ttlMs: number, opts?: CallOptions) {
    return Number(await this.run(() => this.client.eval(INCRBY_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(by)), String(Math.round(ttlMs))] }), opts));
  }

  async ttl(key: string, opts?: CallOptions) {
    return Number(await this.run(() => this.client.pTTL(this.k(key)), opts));
  }

  async compareAndDelete(key: string, expected: string, opts?: CallOptions) {
    return Number(await this.run(() => this.client.eval(COMPARE_AND_DELETE, { keys: [this.k(key)], arguments: [expected] }), opts)) === 1;
  }

  async publish(channel: string, message: string) {
    await this.run(() => this.client.publish(this.k(channel), message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    if (!this.subscriber) {
      // The subscriber keeps its offline queue: a subscription made while reconnecting must not be lost.
      this.subscriber = this.client.duplicate({ disableOfflineQueue: false });
      this.subscriber.on('error', this.onError);
      await this.subscriber.connect();
    }
    await this.subscriber.subscribe(this.k(channel), (m: string) => onMessage(m));
  }

  /** A fresh question to Redis, even while it is marked down (readiness must see it come back). */
  async ping() {
    try {
      await this.deadlines.run(this.timeoutMs, this.pingCommand());
      this.replies++;
      return true;
    } catch {
      return false;
    }
  }

  async close() {
    this.closed = true;
    this.unwatch();
    clearInterval(this.recoveryTimer);
    this.deadlines.stop();
    // A stalled Redis never answers QUIT: give it a moment, then drop the sockets.
    const politely = async (c: Client | undefined) => {
      if (!c) return;
      const quit = c.quit().then(
        () => true,
        () => false,
      );
      if (!(await Promise.race([quit, new Promise<false>((r) => setTimeout(() => r(false), 500).unref())]))) c.destroy();
    };
    await Promise.all([politely(this.subscriber), politely(this.client)]);
  }
}
