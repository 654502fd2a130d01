// Prometheus metrics (prom-client). One registry per process; counters are named here so every module
// records into the same series.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpDuration = new client.Histogram({
  name: 'fsr_http_request_duration_seconds',
  help: 'HTTP request latency by route group and status',
  labelNames: ['route', 'status'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
