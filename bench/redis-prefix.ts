// Benchmarks share the test Redis (db 15) under a private key prefix; this removes what a run left there.
import { createClient } from 'redis';
import { TEST_REDIS_URL } from '../test/support/backends';

export async function dropRedisPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: TEST_REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const list = Array.isArray(keys) ? keys : [keys];
      if (list.length) await client.del(list);
    }
  } finally {
    await client.quit();
  }
}
