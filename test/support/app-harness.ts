// A whole server as production runs it — real MariaDB or SQLite, real Redis or the in-process store —
// with only what lies outside our walls faked over HTTP: WeChat's API and the SMS gateway.
import crypto from 'node:crypto';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import type { Logger } from '../../app/log';
import { closeDeps, openDeps } from '../../app/lifecycle';
import { startServer, type RunningServer } from '../../app/server';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix, type DbKind } from './backends';
import { FAKE_APP, startFakeWechatApi, type FakeWechatApi } from './fake-wechat-api';
import { startJsonSmsGateway, type JsonSmsGateway } from './fake-sms-gateways';
import { WechatSender, type SenderMode } from './wechat-sender';

export const TEST_TOKEN = 'fsrtesttoken';
export const TEST_AES_KEY = crypto.randomBytes(32).toString('base64').slice(0, 43).replace(/[^A-Za-z0-9]/g, 'a');

export interface Harness {
  server: RunningServer;
  deps: Deps;
  wechat: FakeWechatApi;
  sms: JsonSmsGateway;
  sender: WechatSender;
  dbUrl: string;
  /** The environment the server was configured from (a second process of the same deployment reuses it). */
  env: Record<string, string | undefined>;
  /** The OTP texts the gateway received for a phone, newest last. */
  codesFor(phone: string): string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  db?: DbKind;
  store?: 'redis' | 'memory';
  mode?: SenderMode;
  env?: Record<string, string | undefined>;
  log?: Logger;
  /** How the server reaches its (freshly created) database: through a fault proxy, say. */
  reachDatabase?: (url: string) => string;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const wechat = await startFakeWechatApi();
  const sms = await startJsonSmsGateway();
  const { url: dbUrl, drop } = await createDatabaseUrl(o.db ?? 'mariadb');
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: o.reachDatabase ? o.reachDatabase(dbUrl) : dbUrl,
    REDIS_URL: (o.store ?? 'redis') === 'redis' ? TEST_REDIS_URL : undefined,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    WECHAT_APPID: FAKE_APP.appId,
    WECHAT_APPSECRET: FAKE_APP.appSecret,
    WECHAT_TOKEN: TEST_TOKEN,
    WECHAT_ENCODING_AES_KEY: TEST_AES_KEY,
    WECHAT_API_BASE: wechat.baseUrl,
    WECHAT_TEMPLATE_INTERCEPT: FAKE_APP.templateIntercept,
    WECHAT_TEMPLATE_ENABLED: FAKE_APP.templateEnabled,
    WECHAT_TEMPLATE_FAMILY: FAKE_APP.templateFamily,
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: sms.url,
    DATA_KEY: crypto.randomBytes(32).toString('base64'),
    // Tests assert decisions, not speed: a cold lookup on a loaded test machine may take longer than the
    // production deadline. The fault tests set the production value themselves.
    CARRIER_SCREEN_DEADLINE_MS: '2000',
    ...o.env,
  };
  const deps = await openDeps(loadConfig(env), { migrate: true });
  // A test that reads the log lines gives its own logger; the server is built on it from here on.
  if (o.log) deps.log = o.log;
  const server = await startServer(deps, { port: 0, host: '127.0.0.1' });
  const sender = new WechatSender({ baseUrl: server.url, token: TEST_TOKEN, appId: FAKE_APP.appId, encodingAesKey: TEST_AES_KEY, mode: o.mode ?? 'safe' });
  return {
    server,
    deps,
    wechat,
    sms,
    sender,
    dbUrl,
    env,
    codesFor: (phone) => sms.requests.filter((r) => r.body.phone === phone && r.body.purpose === 'otp').map((r) => r.body.params.code),
    close: async () => {
      await server.close();
      await closeDeps(deps);
      await wechat.close();
      await sms.close();
      await drop();
    },
  };
}

/** Polls until `probe` returns a truthy value (background work: SMS, notices), bounded. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
