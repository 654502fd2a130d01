// A real database and store with subscribers in them, for the decision engine's tests: rows are written
// the way the binding and preference services write them (hashed phone, encrypted phone, JSON settings).
import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createLogger } from '../../app/log';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { Decider } from '../../app/protection/decider';
import { LabelService } from '../../app/labels/service';
import { announcePreferenceChange } from '../../app/settings/changes';
import type { Preferences } from '../../app/protection/preferences';
import { recordSubscriberChange } from '../../app/protection/subscriber-changes';
import type { Store } from '../../app/store';
import { sealListValue } from '../../app/privacy/sealed-numbers';
import { ListEntry, PhoneBinding, ProtectionSettings, Subscriber } from '../../entities';
import { createTestDb, createTestStore, testRedisPrefix, type DbKind, type TestDb } from './backends';

export type Backend = { db: DbKind; store: 'redis' | 'memory' };
export const BACKENDS: Backend[] = [
  { db: 'mariadb', store: 'redis' },
  { db: 'sqlite', store: 'memory' },
];

export interface World {
  deps: Deps;
  testDb: TestDb;
  labels: LabelService;
  prefix: string;
  /** Extra stores opened on the same Redis prefix (another "process"). */
  openStore(): Promise<Store>;
  /** Deciders made on this world (makeDecider): seeding waits until their subscriber views caught up. */
  deciders?: Decider[];
  close(): Promise<void>;
}

export async function openWorld(b: Backend): Promise<World> {
  const testDb = await createTestDb(b.db);
  const prefix = testRedisPrefix();
  const store = await createTestStore(b.store, prefix);
  const dataKey = crypto.randomBytes(32);
  const config = loadConfig({ DATA_KEY: dataKey.toString('base64'), DATABASE_URL: testDb.url, LOG_LEVEL: 'silent' });
  const deps: Deps = { config, log: createLogger('silent'), db: testDb.ds, store, vault: new PhoneVault(dataKey) };
  const extra: Store[] = [];
  return {
    deps,
    testDb,
    labels: new LabelService(testDb.ds),
    prefix,
    deciders: [],
    openStore: async () => {
      if (b.store === 'memory') return store;
      const s = await createTestStore('redis', prefix);
      extra.push(s);
      return s;
    },
    close: async () => {
      for (const s of extra) await s.close();
      await store.close();
      await testDb.drop();
    },
  };
}

/** Writes a subscriber, its binding and its preferences; returns the subscriber id. */
export async function seedSubscriber(w: World, phone: string, prefs: Preferences | null): Promise<number> {
  const db: DataSource = w.deps.db;
  const now = new Date();
  const sub = await db.getRepository(Subscriber).save(
    Object.assign(new Subscriber(), { openid: `o${crypto.randomBytes(8).toString('hex')}`, subscribed: true, subscribedAt: now, unsubscribedAt: null, wechatPushBlocked: false, createdAt: now, updatedAt: now }),
  );
  await db.transaction(async (m) => {
    await m.insert(PhoneBinding, { subscriberId: sub.id, phoneHash: w.deps.vault.lookupHash(phone), phoneCipher: w.deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now });
    await recordSubscriberChange(m, sub.id);
  });
  if (prefs) await writePreferences(w, sub.id, prefs);
  else await caughtUp(w);
  return sub.id;
}

/** Waits until every running decider's subscriber view has applied what was just committed. */
export async function caughtUp(w: World): Promise<void> {
  for (const d of w.deciders ?? []) {
    await d.subscriberViewLoaded();
    await d.subscriberView?.refresh();
  }
}

/** Replaces a subscriber's settings and lists (as a preference writer would), without announcing. */
export async function writePreferences(w: World, subscriberId: number, p: Preferences): Promise<void> {
  const db = w.deps.db;
  await db.transaction(async (m) => {
    await m.delete(ProtectionSettings, { subscriberId });
    await m.delete(ListEntry, { subscriberId });
    await m.insert(ProtectionSettings, {
      subscriberId,
      enabled: p.enabled,
      paused: p.paused,
      enabledAt: p.enabled ? new Date() : null,
      categoryModes: p.categoryModes,
      behaviour: p.behaviour as unknown as Record<string, boolean>,
      notices: p.notices as unknown as Record<string, unknown> as never,
      options: p.options as unknown as Record<string, unknown> as never,
      version: p.version,
      updatedAt: new Date(),
    });
    const rows = [
      ...p.rejectList.map((e) => ({ subscriberId, list: 'reject', kind: e.kind, ...sealListValue(w.deps.vault, e.kind, e.value), note: null, createdAt: new Date() })),
      ...p.allowList.map((e) => ({ subscriberId, list: 'allow', kind: e.kind, ...sealListValue(w.deps.vault, e.kind, e.value), note: null, createdAt: new Date() })),
    ];
    if (rows.length) await m.insert(ListEntry, rows);
    await recordSubscriberChange(m, subscriberId);
  });
  await caughtUp(w);
}

export async function changePreferences(w: World, subscriberId: number, p: Preferences, announceOn: Store): Promise<void> {
  await writePreferences(w, subscriberId, p);
  await announcePreferenceChange(announceOn, subscriberId);
}

/** A Decider on the world's database and store; `store` overrides (another process's connection). */
export function makeDecider(w: World, opts: Parameters<typeof Decider.create>[1] = {}, store?: Store): Decider {
  const d = Decider.create({ ...w.deps, store: store ?? w.deps.store }, { ...opts, index: { pollMs: 50, ...opts.index } });
  (w.deciders ??= []).push(d);
  return d;
}

/** Retries an assertion's input until it holds or time runs out (for what travels through pub/sub). */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
