// How the shared store is doing, as an operator's dashboard and alert rules need it.
import client from 'prom-client';
import { registry } from '../metrics';

/** What each open Redis store reports of itself; the gauge is read from them at each scrape. */
export interface StoreHealth {
  readonly healthy: boolean;
}
const openStores = new Set<StoreHealth>();

/** Counts `store` in fsr_store_up until `forget` is called (on close). */
export function watchStoreHealth(store: StoreHealth): () => void {
  openStores.add(store);
  return () => openStores.delete(store);
}

// Read at each scrape rather than set on each change: a process may hold more than one store (and the
// tests run several servers in one process), and one store's recovery must not hide another's outage.
export const storeUp = new client.Gauge({
  name: 'fsr_store_up',
  help: '1 while Redis answers; 0 while it is stalled or unreachable and commands fail at once',
  registers: [registry],
  collect() {
    if (openStores.size === 0) return;
    this.set([...openStores].every((s) => s.healthy) ? 1 : 0);
  },
});

export const storeFallbacks = new client.Counter({
  name: 'fsr_store_fallback_total',
  help: 'Store commands answered from the process-local fallback because Redis did not answer in time, by use and command',
  labelNames: ['use', 'op'] as const,
  registers: [registry],
});

export const storeFallbackPending = new client.Gauge({
  name: 'fsr_store_fallback_pending',
  help: 'Claims made locally while Redis was away and not yet written back to it, by use',
  labelNames: ['use'] as const,
  registers: [registry],
});
