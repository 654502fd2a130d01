import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import type { Store } from './store';

export type { Store, SetOptions } from './store';

export async function openStore(url: string | undefined, opts: { prefix?: string; onError?: (e: Error) => void } = {}): Promise<Store> {
  if (!url) return new MemoryStore();
  return RedisStore.connect(url, opts);
}
