import { createClient, createCluster } from 'redis';
import type { SetOptions, Store } from './store';

const INCR_WITH_TTL = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;
const INCRBY_WITH_TTL = `local n = redis.call('INCRBY', KEYS[1], ARGV[1]) if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return n`;
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// node-redis' client and cluster share the commands we use; the structural type keeps both honest.
type Client = ReturnType<typeof createClient>;

/** Redis or Redis Cluster. Every key is single-key, so each command routes to one shard. */
export class RedisStore implements Store {
  readonly kind: 'redis' | 'redis-cluster';
  private subscriber?: Client;

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
      client = createClient({ url, socket: { reconnectStrategy: (n) => Math.min(n * 100, 2000) } });
    }
    client.on('error', onError);
    await client.connect();
    return new RedisStore(client, kind, opts.prefix ?? 'fsr:', onError);
  }

  private k(key: string) {
    return this.prefix + key;
  }

  async get(key: string) {
    return (await this.client.get(this.k(key))) as string | null;
  }

  async set(key: string, value: string, opts: SetOptions = {}) {
    const o: Record<string, unknown> = {};
    if (opts.ttlMs) o.PX = Math.max(1, Math.round(opts.ttlMs));
    if (opts.nx) o.NX = true;
    const r = await this.client.set(this.k(key), value, o);
    return r === 'OK';
  }

  async del(key: string) {
    await this.client.del(this.k(key));
  }

  async incr(key: string, ttlMs: number) {
    return Number(await this.client.eval(INCR_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(ttlMs))] }));
  }

  async incrBy(key: string, by: number, ttlMs: number) {
    return Number(await this.client.eval(INCRBY_WITH_TTL, { keys: [this.k(key)], arguments: [String(Math.round(by)), String(Math.round(ttlMs))] }));
  }

  async ttl(key: string) {
    return Number(await this.client.pTTL(this.k(key)));
  }

  async compareAndDelete(key: string, expected: string) {
    return Number(await this.client.eval(COMPARE_AND_DELETE, { keys: [this.k(key)], arguments: [expected] })) === 1;
  }

  async publish(channel: string, message: string) {
    await this.client.publish(this.k(channel), message);
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
      if (this.kind === 'redis') return (await this.client.ping()) === 'PONG';
      await this.client.get(this.k('ping'));
      return true;
    } catch {
      return false;
    }
  }

  async close() {
    await this.subscriber?.quit().catch(() => {});
    await this.client.quit().catch(() => {});
  }
}
