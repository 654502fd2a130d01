// Reports and appeals, in the process registry.
import client from 'prom-client';
import { registry } from '../metrics';

export const reportsReceived = new client.Counter({
  name: 'fsr_reports_total',
  help: 'Reports of numbers (subscribers and the carrier complaints feed), by channel and result (counted, damped, duplicate, rate_limited, refused)',
  labelNames: ['channel', 'result'] as const,
  registers: [registry],
});

export const appealsFiled = new client.Counter({
  name: 'fsr_appeals_total',
  help: 'Appeals filed and resolved, by kind and event (filed, upheld, rejected)',
  labelNames: ['kind', 'event'] as const,
  registers: [registry],
});
