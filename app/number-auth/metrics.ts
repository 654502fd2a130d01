// 本机号码一键登录 in /metrics: bindings made and attempts refused, by provider and reason.
import client from 'prom-client';
import { registry } from '../metrics';

export const numberAuthVerified = new client.Counter({
  name: 'fsr_number_auth_verified_total',
  help: 'Phones proven by one-tap number authentication (then bound), by provider',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const numberAuthFailures = new client.Counter({
  name: 'fsr_number_auth_failures_total',
  help: 'One-tap number authentication attempts refused, by provider, step (sdk_credentials, exchange) and reason (token_invalid, token_reused, token_garbage, unavailable, misconfigured, not_mobile, daily_cap)',
  labelNames: ['provider', 'step', 'reason'] as const,
  registers: [registry],
});
