// The notices module on real backends: a fresh MariaDB (or SQLite) database, a private Redis prefix, the
// fake WeChat API and the SMS gateway of docs/interfaces.md on 127.0.0.1, the application assembled as
// `npm start` assembles it (without its workers: tests drive their own), and helpers to make subscribers
// and report interceptions through the carrier API.
import crypto from 'node:crypto';
import type { InterceptionEvent } from '../../app/carrier/schemas';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createLogger } from '../../app/log';
import { noticeChannels } from '../../app/assemble';
import { defaultPolicy, type NoticePolicy } from '../../app/notices/policy';
import { PhoneVault } from '../../app/privacy/phone-vault';
import type { NoticeSettings } from '../../app/protection/preferences';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions } from '../../app/protection/preferences';
import { startServer } from '../../app/server';
import { openStore } from '../../app/store';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../../entities';
import { createTestDb, TEST_REDIS_URL, testRedisPrefix, type DbKind } from './backends';
import { CarrierClient } from './carrier-client';
import { FAKE_APP, startFakeWechatApi } from './fake-wechat-api';
import { startJsonSmsGateway } from './fake-sms-gateways';

const CARRIER_KEY = { id: 'net-notices', secret: 'notices-secret-0123456789' };

export interface HarnessOptions {
  db?: DbKind;
  /** Clock and minute length the scheduling side runs on. */
  policy?: NoticePolicy;
  wechatTimeoutMs?: number;
}

export async function noticesHarness(o: HarnessOptions = {}) {
  const kind = o.db ?? 'mariadb';
  const testDb = await createTestDb(kind);
  const redisPrefix = testRedisPrefix();
  const store = await openStore(kind === 'mariadb' ? TEST_REDIS_URL : undefined, { prefix: redisPrefix });
  const wechatApi = await startFakeWechatApi();
  wechatApi.state.maxMessages = 1_000_000;
  const smsGateway = await startJsonSmsGateway();
  const dataKey = crypto.randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    DATABASE_URL: testDb.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    DATA_KEY: dataKey,
    WECHAT_APPID: FAKE_APP.appId,
    WECHAT_APPSECRET: FAKE_APP.appSecret,
    WECHAT_API_BASE: wechatApi.baseUrl,
    WECHAT_TEMPLATE_INTERCEPT: FAKE_APP.templateIntercept,
    WECHAT_TEMPLATE_ENABLED: FAKE_APP.templateEnabled,
    PUBLIC_BASE_URL: 'https://fsr.example.com',
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: smsGateway.url,
    SMS_RETRIES: '1',
    CARRIER_KEYS: `${CARRIER_KEY.id}:${CARRIER_KEY.secret}`,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  const deps: Deps = { config, log: createLogger('silent'), db: testDb.ds, store, vault: new PhoneVault(config.dataKey) };
  const policy = o.policy ?? defaultPolicy();
  const server = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false, noticePolicy: policy });
  const { interceptions } = server.services;
  const url = `http://127.0.0.1:${server.port}`;
  const carrier = new CarrierClient(url, CARRIER_KEY.id, CARRIER_KEY.secret, 8);

  let n = 0;
  const tag = crypto.randomBytes(3).toString('hex');
  let phoneSeq = Math.floor(Math.random() * 1e6);

  /** A bound, enabled subscriber following the account (unless told otherwise), with these notice settings. */
  async function subscriber(s: Partial<NoticeSettings> = {}, opts: { following?: boolean; openid?: string | null } = {}) {
    const now = new Date();
    const openid = opts.openid === undefined ? `o_${tag}_${++n}`.padEnd(28, 'x') : opts.openid;
    const following = opts.following ?? true;
    const phone = `139${String(phoneSeq++ % 1e8).padStart(8, '0')}`;
    const repo = deps.db.getRepository(Subscriber);
    const saved = await repo.save(repo.create({ openid, subscribed: following, subscribedAt: now, unsubscribedAt: following ? null : now, wechatPushBlocked: false, createdAt: now, updatedAt: now }));
    await deps.db.getRepository(PhoneBinding).insert({ subscriberId: saved.id, phoneHash: deps.vault.lookupHash(phone), phoneCipher: deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now });
    const settingsRow: ProtectionSettings = {
      subscriberId: saved.id,
      enabled: true,
      paused: false,
      enabledAt: now,
      categoryModes: defaultCategoryModes(),
      behaviour: { ...defaultBehaviour() },
      notices: { ...defaultNotices(), ...s },
      options: { ...defaultOptions() },
      version: 1,
      updatedAt: now,
    };
    await deps.db.getRepository(ProtectionSettings).save(settingsRow);
    if (openid) {
      wechatApi.state.follow(openid);
      if (!following) wechatApi.state.unfollow(openid);
    }
    return { id: saved.id, openid, phone };
  }

  let eventSeq = 0;
  /** An interception event for this callee; ids are unique unless given. */
  function event(callee: string, over: Partial<InterceptionEvent> = {}): InterceptionEvent {
    return {
      id: `ev-${tag}-${++eventSeq}`,
      caller: `400${String(1000000 + (eventSeq % 9000000)).slice(-7)}`,
      callee,
      at: new Date().toISOString(),
      action: 'block',
      reason: 'category_block',
      category: 'loan_finance',
      ...over,
    } as InterceptionEvent;
  }

  async function report(events: InterceptionEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const r = await carrier.post('/carrier/v1/interceptions', { events });
    if (r.status !== 200) throw new Error(`interceptions answered ${r.status}: ${r.text}`);
    return r.json;
  }

  return {
    kind,
    deps,
    env,
    url,
    policy,
    wechatApi,
    smsGateway,
    interceptions,
    carrier,
    subscriber,
    event,
    report,
    channels: () => noticeChannels(deps, { wechatTimeoutMs: o.wechatTimeoutMs ?? 1000 }),
    /** Template messages the fake WeChat delivered for notice `id` (from the link each carries). */
    deliveredFor(id: number) {
      return wechatApi.state.templateMessages().filter((m) => m.url?.endsWith(`notice=${id}`));
    },
    async close() {
      carrier.close();
      await server.close();
      await wechatApi.close();
      await smsGateway.close();
      await store.close();
      await testDb.drop();
    },
  };
}

export type NoticesHarness = Awaited<ReturnType<typeof noticesHarness>>;

/** A clock a test moves by hand. */
export function manualClock(start = new Date()) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}
