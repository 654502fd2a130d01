// How the shared store is doing, as an operator's dashboard and alert rules need it.
import client from 'prom-client';
import { registry } from '../metrics';

export const storeUp = new client.Gauge({
  name: 'fsr_store_up',
  help: '1 while Redis answers; 0 while it is stalled or unreachable and commands fail at once',
  registers: [registry],
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
