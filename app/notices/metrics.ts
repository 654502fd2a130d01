// Notices in the process registry: what every attempt ended with, and how late notices go out.
import client from 'prom-client';
import { registry } from '../metrics';

export const noticeAttempts = new client.Counter({
  name: 'fsr_notice_attempts_total',
  help: 'Notice send attempts by kind (intercept, digest, enabled), channel and result (sent, retry, uncertain, blocked, failed)',
  labelNames: ['kind', 'channel', 'result'] as const,
  registers: [registry],
});

export const noticeLag = new client.Histogram({
  name: 'fsr_notice_lag_seconds',
  help: 'From a notice being due to it being sent',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const noticeOutcomes = new client.Counter({
  name: 'fsr_notices_final_total',
  help: 'Notices reaching a final state (sent, failed, uncertain), by kind and channel',
  labelNames: ['kind', 'channel', 'state'] as const,
  registers: [registry],
});

// The outbox depth gauge lives in app/metrics-catalog.ts (fsr_notice_outbox_depth, watchOutbox).
export { outboxDepth, watchOutbox } from '../metrics-catalog';
