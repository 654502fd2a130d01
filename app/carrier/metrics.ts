// The carrier API's own series, in the process registry.
import client from 'prom-client';
import { registry } from '../metrics';

export const carrierRefusals = new client.Counter({
  name: 'fsr_carrier_refusals_total',
  help: 'Carrier API requests refused before reaching a handler, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

// Decisions are tallied in a plain object and handed to the counter when it is read: a labelled inc() per
// request hashes its labels every time, on the hottest path.
const pendingDecisions = new Map<string, number>();

export const carrierDecisions = new client.Counter({
  name: 'fsr_carrier_decisions_total',
  help: 'Screening decisions answered to the network, by action',
  labelNames: ['action'] as const,
  registers: [registry],
  collect() {
    for (const [action, n] of pendingDecisions) this.inc({ action }, n);
    pendingDecisions.clear();
  },
});

/** Counts `n` decisions with this action answered to the network (read by /metrics). */
export function countDecision(action: string, n = 1): void {
  pendingDecisions.set(action, (pendingDecisions.get(action) ?? 0) + n);
}

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
