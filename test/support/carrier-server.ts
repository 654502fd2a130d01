// The carrier API on real backends for a test: a fresh database (MariaDB or SQLite), a private Redis prefix
// or the in-process store, the application assembled as `npm start` assembles it (app/assemble.ts +
// app/server.ts), listening on 127.0.0.1 at a free port. A test may replace the screen service, the label
// feed or the interceptions' hook; the routes are always the assembly's.
import crypto from 'node:crypto';
import type Router from '@koa/router';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createLogger } from '../../app/log';
import { PhoneVault } from '../../app/privacy/phone-vault';
import type { InterceptionService, OnStored } from '../../app/interceptions/storage';
import type { LabelFeed, ScreenService } from '../../app/carrier/ports';
import { startServer } from '../../app/server';
import { createTestDb, createTestStore, type DbKind } from './backends';
import { CarrierClient } from './carrier-client';

export const TEST_KEYS = { 'net-a': 'secret-a-0123456789', 'net-b': 'secret-b-9876543210' } as const;

export interface CarrierServer {
  url: string;
  deps: Deps;
  services: { interceptions: InterceptionService };
  /** The carrier router as the assembly mounted it. */
  carrierRoutes: Router;
  /** A client signing with key net-a; `maxSockets` 1 makes it a single connection. */
  client(maxSockets?: number, keyId?: keyof typeof TEST_KEYS): CarrierClient;
  close(): Promise<void>;
}

export interface CarrierServerOptions {
  db: DbKind;
  store: 'redis' | 'memory';
  env?: Record<string, string>;
  /** In place of the real decision engine. */
  screen?: ScreenService;
  labels?: LabelFeed;
  onStored?: OnStored;
  /** Writes what the test needs before the application starts (the decision engine loads it at start). */
  seed?: (deps: Deps) => Promise<void>;
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
  await o.seed?.(deps);
  const server = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false, replace: { screen: o.screen, labels: o.labels, onStored: o.onStored } });
  const url = `http://127.0.0.1:${server.port}`;
  const clients: CarrierClient[] = [];
  return {
    url,
    deps,
    services: { interceptions: server.services.interceptions },
    carrierRoutes: server.services.carrierRoutes,
    client(maxSockets = 8, keyId = 'net-a') {
      const c = new CarrierClient(url, keyId, TEST_KEYS[keyId], maxSockets);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await server.close();
      await store.close();
      await testDb.drop();
    },
  };
}
