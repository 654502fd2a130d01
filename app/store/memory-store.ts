import { EventEmitter } from 'node:events';
import type { SetOptions, Store } from './store';

interface Entry {
  value: string;
  expiresAt: number; // 0: never
}

/** The single-process stand-in for Redis. Correct only while one process serves. */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, Entry>();
  private readonly bus = new EventEmitter();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.bus.setMaxListeners(0);
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt && e.expiresAt <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.map) if (e.expiresAt && e.expiresAt <= now) this.map.delete(k);
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, opts: SetOptions = {}) {
    if (opts.nx && this.live(key)) return false;
    this.map.set(key, { value, expiresAt: opts.ttlMs ? Date.now() + opts.ttlMs : 0 });
    return true;
  }

  async del(key: string) {
    this.map.delete(key);
  }

  async incr(key: string, ttlMs: number) {
    const e = this.live(key);
    if (!e) {
      this.map.set(key, { value: '1', expiresAt: Date.now() + ttlMs });
      return 1;
    }
    const n = Number(e.value) + 1;
    e.value = String(n);
    return n;
  }

  async incrBy(key: string, by: number, ttlMs: number) {
    const e = this.live(key);
    if (!e) {
      this.map.set(key, { value: String(by), expiresAt: Date.now() + ttlMs });
      return by;
    }
    const n = Number(e.value) + by;
    e.value = String(n);
    return n;
  }

  async ttl(key: string) {
    const e = this.live(key);
    if (!e) return -2;
    return e.expiresAt ? e.expiresAt - Date.now() : -1;
  }

  async compareAndDelete(key: string, expected: string) {
    if (this.live(key)?.value !== expected) return false;
    this.map.delete(key);
    return true;
  }

  async publish(channel: string, message: string) {
    this.bus.emit(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    this.bus.on(channel, onMessage);
  }

  async ping() {
    return true;
  }

  async close() {
    clearInterval(this.sweeper);
    this.bus.removeAllListeners();
  }
}
