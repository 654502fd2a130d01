// The shared, short-lived state (OTP, rate limits, chat steps, de-duplication, tokens, caches) behind one
// small interface: Redis for many processes, an in-process map for a single-process trial.
export interface SetOptions {
  /** Time to live in milliseconds. */
  ttlMs?: number;
  /** Only set when the key does not exist (a lock, a first claim). */
  nx?: boolean;
}

export interface Store {
  readonly kind: 'redis' | 'redis-cluster' | 'memory';
  get(key: string): Promise<string | null>;
  /** Returns false when `nx` was asked and the key already existed. */
  set(key: string, value: string, opts?: SetOptions): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Increments and, on the first increment of a window, sets its expiry. Returns the new count. */
  incr(key: string, ttlMs: number): Promise<number>;
  /** Adds `by` (> 0) and, when the key is new, sets its expiry. Returns the new total. */
  incrBy(key: string, by: number, ttlMs: number): Promise<number>;
  /** Remaining lifetime in ms; -1 without expiry; -2 when absent. */
  ttl(key: string): Promise<number>;
  /** Deletes only when the key still holds `expected` (a lock's owner, a token known stale). */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
