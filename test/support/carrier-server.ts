// The carrier API on real backends for a test: a fresh database (MariaDB or SQLite), a private Redis prefix
// or the in-process store, the real Koa assembly, listening on 127.0.0.1 at a free port.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createHttpApp } from '../../app/http/app';
import { createLogger } from '../../app/log';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { InterceptionService, type OnStored } from '../../app/interceptions/storage';
import type { LabelFeed, ScreenService } from '../../app/carrier/ports';
import { carrierRouter, type CarrierServices } from '../../app/carrier/routes';
import { createTestDb, createTestStore, type DbKind } from './backends';
import { CarrierClient } from './carrier-client';

export const TEST_KEYS = { 'net-a': 'secret-a-0123456789', 'net-b': 'secret-b-9876543210' } as const;

export interface CarrierServer {
  url: string;
  deps: Deps;
  services: CarrierServices;
  /** A client signing with key net-a; `maxSockets` 1 makes it a single connection. */
  client(maxSockets?: number, keyId?: keyof typeof TEST_KEYS): CarrierClient;
  close(): Promise<void>;
}

export interface CarrierServerOptions {
  db: DbKind;
  store: 'redis' | 'memory';
  env?: Record<string, string>;
  screen?: ScreenService;
  labels?: LabelFeed;
  onStored?: OnStored;
  /** Builds services from the opened deps (the real Decider, the real label feed). */
  build?: (deps: Deps) => Promise<Partial<CarrierServices> & { stop?: () => Promise<void> | void }>;
}

export const noLabels: LabelFeed = { changesSince: async () => [] };

export async function startCarrierServer(o: CarrierServerOptions): Promise<CarrierServer> {
  const testDb = await createTestDb(o.db);
  const store = await createTestStore(o.store);
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    CARRIER_KEYS: Object.entries(TEST_KEYS)
      .map(([k, s]) => `${k}:${s}`)
      .join(','),
    LOG_LEVEL: 'silent',
    // Decisions, not speed, are asserted here (see app-harness.ts).
    CARRIER_SCREEN_DEADLINE_MS: '2000',
    ...o.env,
  });
  const deps: Deps = { config, log: createLogger('silent'), db: testDb.ds, store, vault: new PhoneVault(config.dataKey) };
  const built = o.build ? await o.build(deps) : {};
  const services: CarrierServices = {
    screen: built.screen ?? o.screen ?? unavailableScreen,
    labels: built.labels ?? o.labels ?? noLabels,
    interceptions: built.interceptions ?? new InterceptionService(deps, { onStored: o.onStored }),
  };
  const app = createHttpApp(deps);
  const router = carrierRouter(deps, services);
  app.use(router.routes()).use(router.allowedMethods());
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: CarrierClient[] = [];
  return {
    url,
    deps,
    services,
    client(maxSockets = 8, keyId = 'net-a') {
      const c = new CarrierClient(url, keyId, TEST_KEYS[keyId], maxSockets);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await built.stop?.();
      await store.close();
      await testDb.drop();
    },
  };
}

const unavailableScreen: ScreenService = {
  screen: async () => {
    throw new Error('no screen service in this test');
  },
  screenBatch: async () => {
    throw new Error('no screen service in this test');
  },
};
