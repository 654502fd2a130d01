// A running service for the SMS keyword, reports, appeals, CLI and metrics tests: a fresh MariaDB database,
// a private prefix on the real Redis, the SMS gateway of docs/interfaces.md faked on 127.0.0.1, and the Koa app
// listening on port 0 with the routes under test mounted.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Router from '@koa/router';
import { loadConfig, type Config } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createHttpApp } from '../../app/http/app';
import { instrumentSms } from '../../app/metrics-catalog';
import { createLogger } from '../../app/log';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { BindingService } from '../../app/binding/binding-service';
import { SubscriberService } from '../../app/binding/subscriber-service';
import { ProtectionService } from '../../app/settings/protection-service';
import { ListsService } from '../../app/settings/lists-service';
import { HttpSmsProvider, SmsService } from '../../app/sms';
import { smsInboundRouter } from '../../app/sms/inbound-route';
import type { InboundOptions } from '../../app/sms/inbound-service';
import { inboundSignature } from '../../app/sms/inbound-signature';
import { createTestDb, createTestStore, type DbKind } from './backends';
import { startJsonSmsGateway, type JsonSmsGateway } from './fake-sms-gateways';

export const INBOUND_SECRET = 'test-inbound-secret-0123456789';

export interface Harness {
  deps: Deps;
  config: Config;
  core: { subscribers: SubscriberService; bindings: BindingService; protection: ProtectionService };
  lists: ListsService;
  sms: SmsService;
  gateway: JsonSmsGateway;
  dbUrl: string;
  /** Base URL of the running app. */
  url: string;
  /** Mounts more routes on the running app (before the first request that needs them). */
  mount(router: Router): void;
  /** Messages the fake gateway received for `phone`, oldest first. */
  smsTo(phone: string): { template: string; text: string }[];
  /** POSTs an inbound SMS signed with the shared secret (or as told). */
  inbound(body: unknown, opts?: { signature?: string | null; raw?: string }): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startHarness(opts: { db?: DbKind; inbound?: InboundOptions; env?: Record<string, string> } = {}): Promise<Harness> {
  const gateway = await startJsonSmsGateway();
  const config = loadConfig({
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: gateway.url,
    SMS_INBOUND_SECRET: INBOUND_SECRET,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const db = await createTestDb(opts.db ?? 'mariadb');
  const store = await createTestStore('redis');
  const deps: Deps = { config, log: createLogger('silent'), db: db.ds, store, vault: new PhoneVault(config.dataKey) };
  // Counted and timed as the composition root does it, so /metrics moves with this traffic.
  const sms = instrumentSms(new SmsService(deps, new HttpSmsProvider(gateway.url), { attempts: 1 }));
  const core = { subscribers: new SubscriberService(deps.db), bindings: new BindingService(deps.db, deps.vault), protection: new ProtectionService(deps.db, deps.store) };
  const lists = new ListsService(deps.db, deps.store, core.protection);
  const app = createHttpApp(deps);
  const routers: Router[] = [smsInboundRouter(deps, { protection: core.protection, sms }, opts.inbound)];
  app.use(async (ctx, next) => {
    for (const r of routers) {
      let matched = true;
      await r.routes()(ctx as never, async () => {
        matched = false;
      });
      if (matched) return;
    }
    await next();
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    deps,
    config,
    core,
    lists,
    sms,
    gateway,
    dbUrl: db.url,
    url,
    mount: (r) => routers.push(r),
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await store.close();
      await db.drop();
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
