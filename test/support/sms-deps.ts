// Deps for SMS tests: a real database of the given kind, the in-process store (SMS does not use it), a
// fresh data key, and a logger whose lines the test can read back.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createLogger } from '../../app/log';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { openStore } from '../../app/store';
import { createTestDb, DbKind } from './backends';

export interface SmsTestDeps {
  deps: Deps;
  /** Every JSON line the logger wrote. */
  logLines: string[];
  close(): Promise<void>;
}

export async function createSmsTestDeps(kind: DbKind, env: Record<string, string> = {}): Promise<SmsTestDeps> {
  const config = loadConfig({ DATA_KEY: crypto.randomBytes(32).toString('base64'), LOG_LEVEL: 'info', ...env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const db = await createTestDb(kind);
  const store = await openStore(undefined);
  const deps: Deps = { config, log: createLogger('info', sink), db: db.ds, store, vault: new PhoneVault(config.dataKey) };
  return {
    deps,
    logLines,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
}
