// The SMS keyword channel's series, in the process registry.
import client from 'prom-client';
import { registry } from '../metrics';

export const smsInbound = new client.Counter({
  name: 'fsr_sms_inbound_total',
  help: 'Inbound SMS webhooks, by result (processed, duplicate, ignored, bad_signature, invalid, too_large) and keyword',
  labelNames: ['result', 'keyword'] as const,
  registers: [registry],
});
