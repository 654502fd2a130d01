// The carrier API's own series, in the process registry.
import client from 'prom-client';
import { registry } from '../metrics';

export const carrierRefusals = new client.Counter({
  name: 'fsr_carrier_refusals_total',
  help: 'Carrier API requests refused before reaching a handler, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const carrierDecisions = new client.Counter({
  name: 'fsr_carrier_decisions_total',
  help: 'Screening decisions answered to the network, by action',
  labelNames: ['action'] as const,
  registers: [registry],
});

export const carrierInterceptions = new client.Counter({
  name: 'fsr_carrier_interceptions_total',
  help: 'Interception events received, by result (accepted or duplicate)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const carrierDegraded = new client.Counter({
  name: 'fsr_carrier_degraded_total',
  help: 'Screens answered allow/degraded because the decision was not ready in time (timeout) or failed (error)',
  labelNames: ['cause'] as const,
  registers: [registry],
});
