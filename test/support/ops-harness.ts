// A running service for the SMS keyword, reports, appeals, CLI and metrics tests, as `npm start` assembles
// it (without the workers): a fresh MariaDB database, a private prefix on the real Redis, the SMS gateway of
// docs/interfaces.md faked on 127.0.0.1, the embedded WeChat simulator, listening on port 0.
import crypto from 'node:crypto';
import { loadConfig, type Config } from '../../app/config';
import type { Deps } from '../../app/deps';
import type { BindingService } from '../../app/binding/binding-service';
import type { SubscriberService } from '../../app/binding/subscriber-service';
import { closeDeps, openDeps } from '../../app/lifecycle';
import { startServer, type RunningServer } from '../../app/server';
import type { ProtectionService } from '../../app/settings/protection-service';
import type { ListsService } from '../../app/settings/lists-service';
import type { SmsService } from '../../app/sms';
import type { InboundOptions } from '../../app/sms/inbound-service';
import { inboundSignature } from './inbound-sign';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix, type DbKind } from './backends';
import { startJsonSmsGateway, type JsonSmsGateway } from './fake-sms-gateways';

export const INBOUND_SECRET = 'test-inbound-secret-0123456789';

export interface Harness {
  deps: Deps;
  config: Config;
  server: RunningServer;
  core: { subscribers: SubscriberService; bindings: BindingService; protection: ProtectionService };
  lists: ListsService;
  sms: SmsService;
  gateway: JsonSmsGateway;
  dbUrl: string;
  /** Base URL of the running app. */
  url: string;
  /** Messages the fake gateway received for `phone`, oldest first. */
  smsTo(phone: string): { template: string; text: string }[];
  /** POSTs an inbound SMS signed with the shared secret (or as told). */
  inbound(body: unknown, opts?: { signature?: string | null; raw?: string }): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startHarness(opts: { db?: DbKind; inbound?: InboundOptions; env?: Record<string, string> } = {}): Promise<Harness> {
  const gateway = await startJsonSmsGateway();
  const { url: dbUrl, drop } = await createDatabaseUrl(opts.db ?? 'mariadb');
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: dbUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: gateway.url,
    SMS_RETRIES: '1',
    SMS_INBOUND_SECRET: INBOUND_SECRET,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const deps = await openDeps(config, { migrate: true });
  const server = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false, inbound: opts.inbound });
  const { services } = server;
  const url = server.url;

  return {
    deps,
    config,
    server,
    core: { subscribers: services.subscribers, bindings: services.bindings, protection: services.protection },
    lists: services.lists,
    sms: services.sms,
    gateway,
    dbUrl,
    url,
    smsTo: (phone) => gateway.requests.filter((r) => r.body.phone === phone).map((r) => ({ template: r.body.template, text: r.body.text })),
    async inbound(body, o = {}) {
      const raw = o.raw ?? JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const sig = o.signature === undefined ? inboundSignature(INBOUND_SECRET, raw) : o.signature;
      if (sig !== null) headers['x-signature'] = sig;
      const res = await fetch(`${url}/sms/inbound`, { method: 'POST', headers, body: raw });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json };
    },
    async close() {
      await server.close();
      await closeDeps(deps);
      await gateway.close();
      await drop();
    },
  };
}

let phoneSeq = 0;
/** A valid mainland mobile number unique to this process and call. */
export function freshPhone(): string {
  phoneSeq++;
  const n = (process.pid * 131 + phoneSeq * 7919 + crypto.randomInt(1000)) % 100_000_000;
  return `139${String(n).padStart(8, '0')}`;
}
