// The preference services on real backends, with helpers to make a subscriber (optionally bound, enabled).
import crypto from 'node:crypto';
import { BindingService } from '../../app/binding/binding-service';
import { SubscriberService } from '../../app/binding/subscriber-service';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { settingsParts } from '../../app/assemble';
import { createLogger } from '../../app/log';
import type { ProtectionService } from '../../app/settings/protection-service';
import type { Store } from '../../app/store';
import { createTestDb, createTestStore, type DbKind, type TestDb } from './backends';

export const BACKENDS: { db: DbKind; store: 'redis' | 'memory' }[] = [
  { db: 'mariadb', store: 'redis' },
  { db: 'sqlite', store: 'memory' },
];

export async function preferencesFixture(kind: { db: DbKind; store: 'redis' | 'memory' }, storePrefix?: string) {
  const testDb: TestDb = await createTestDb(kind.db);
  const store: Store = await createTestStore(kind.store, storePrefix);
  const dataKey = crypto.randomBytes(32);
  const vault = new PhoneVault(dataKey);
  const db = testDb.ds;
  const subscribers = new SubscriberService(db);
  const bindings = new BindingService(db, vault);
  // The settings services as the assembly builds them.
  const { protection, preferences, lists, dataRights } = settingsParts({ db, store, vault, log: createLogger('silent') }, bindings);
  const subscriber = subscriberMaker({ subscribers, bindings, protection }, vault);
  return {
    db,
    store,
    vault,
    dataKey,
    protection,
    subscribers,
    bindings,
    preferences,
    lists,
    dataRights,
    subscriber,
    async close() {
      await store.close();
      await testDb.drop();
    },
  };
}

/** `subscriber()`: a follower; with `phone`, bound to it; with `enable`, protection on. */
export function subscriberMaker(s: { subscribers: SubscriberService; bindings: BindingService; protection: ProtectionService }, vault: PhoneVault) {
  let n = 0;
  const unique = `${process.pid}${crypto.randomBytes(3).toString('hex')}`;
  return async (o: { phone?: string; enable?: boolean; openid?: string } = {}) => {
    const openid = o.openid ?? `o_test_${unique}_${++n}`;
    const sub = await s.subscribers.followed(openid);
    if (o.phone) await s.bindings.bindVerified(sub.id, vault.lookupHash(o.phone), vault.encrypt(o.phone), { actor: 'subscriber', channel: 'wechat' });
    if (o.enable) await s.protection.enable(sub.id, { actor: 'subscriber', channel: 'wechat' });
    return sub;
  };
}

export type PreferencesFixture = Awaited<ReturnType<typeof preferencesFixture>>;

/** A random valid mainland mobile number, so parallel tests never bind the same phone. */
export function randomMobile(): string {
  return `139${String(crypto.randomInt(0, 100_000_000)).padStart(8, '0')}`;
}
