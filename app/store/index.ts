import { MemoryStore } from './memory-store';
import { RedisStore, type RedisStoreOptions } from './redis-store';
import type { Store } from './store';

export type { Store, SetOptions, CallOptions } from './store';

export async function openStore(url: string | undefined, opts: RedisStoreOptions = {}): Promise<Store> {
  if (!url) return new MemoryStore();
  return RedisStore.connect(url, opts);
}
