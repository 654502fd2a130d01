// The shared, short-lived state (OTP, rate limits, chat steps, de-duplication, tokens, caches) behind one
// small interface: Redis for many processes, an in-process map for a single-process trial.
/** Per call: how long the caller can wait for this command (its share of the request's budget). */
export interface CallOptions {
  /** Milliseconds; the store's default (REDIS_COMMAND_TIMEOUT_MS) when absent. */
  timeoutMs?: number;
}

export interface SetOptions extends CallOptions {
  /** Time to live in milliseconds. */
  ttlMs?: number;
  /** Only set when the key does not exist (a lock, a first claim). */
  nx?: boolean;
}

export interface Store {
  readonly kind: 'redis' | 'redis-cluster' | 'memory';
  get(key: string, opts?: CallOptions): Promise<string | null>;
  /** Returns false when `nx` was asked and the key already existed. */
  set(key: string, value: string, opts?: SetOptions): Promise<boolean>;
  del(key: string, opts?: CallOptions): Promise<void>;
  /** Increments and, on the first increment of a window, sets its expiry. Returns the new count. */
  incr(key: string, ttlMs: number, opts?: CallOptions): Promise<number>;
  /** Adds `by` (> 0) and, when the key is new, sets its expiry. Returns the new total. */
  incrBy(key: string, by: number, ttlMs: number, opts?: CallOptions): Promise<number>;
  /** Remaining lifetime in ms; -1 without expiry; -2 when absent. */
  ttl(key: string, opts?: CallOptions): Promise<number>;
  /** Deletes only when the key still holds `expected` (a lock's owner, a token known stale). */
  compareAndDelete(key: string, expected: string, opts?: CallOptions): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
