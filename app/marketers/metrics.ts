// The marketer API's own series, in the process registry.
import client from 'prom-client';
import { registry } from '../metrics';

export const marketerRefusals = new client.Counter({
  name: 'fsr_marketer_refusals_total',
  help: 'Marketer API requests refused before reaching a handler (auth, rate, quota), by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const marketerScrubbed = new client.Counter({
  name: 'fsr_marketer_scrubbed_numbers_total',
  help: 'Numbers answered by scrubs, by reason',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const marketerConsents = new client.Counter({
  name: 'fsr_marketer_consents_total',
  help: 'Consents received, by result (accepted, duplicate, rejected)',
  labelNames: ['result'] as const,
  registers: [registry],
});
