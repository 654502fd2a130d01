// The one typed configuration. Every variable the README lists is read here (checked against
// config-env.ts) and nowhere else, validated at start so a bad deployment fails with a sentence, not a
// stack trace at the first request.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import dotenv from 'dotenv';
import { envSchema, SIMULATOR, type Env } from './config-env';

export { SIMULATOR, type Env };

export interface Config {
  env: string;
  production: boolean;
  port: number;
  host: string;
  role: 'all' | 'web' | 'worker';
  databaseUrl: string;
  redisUrl?: string;
  /** Every Redis key starts with it: several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  migrateOnStart: boolean;
  wechat: {
    appId: string;
    appSecret: string;
    token: string;
    encodingAesKey?: string;
    /** As set in the WeChat console; safe and compat accept only encrypted requests. */
    messageMode: 'plain' | 'compat' | 'safe';
    /** undefined: the embedded simulator, mounted on this server, answers the API. */
    apiBase?: string;
    templateIntercept: string;
    templateEnabled: string;
    /** The family-protection alert (家人守护提醒). */
    templateFamily: string;
    simulated: boolean;
  };
  publicBaseUrl?: string;
  /** Whether X-Forwarded-Proto/Host/For are believed (only behind a proxy that sets them). */
  trustProxy: boolean;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
  sms: {
    provider: 'console' | 'http' | 'aliyun' | 'tencent';
    httpUrl?: string;
    inboundSecret: string;
    signName: string;
    aliyun: { accessKeyId?: string; accessKeySecret?: string; endpoint?: string; templates: SmsTemplateIds };
    tencent: { secretId?: string; secretKey?: string; appId?: string; endpoint?: string; region: string; templates: SmsTemplateIds };
    /** Attempts per message, the first included. */
    retries: number;
  };
  carrierKeys: Map<string, string>;
  /** Requests per second per carrier key (fixed one-second windows shared through the store). */
  carrierRateLimit: number;
  marketer: {
    keys: Map<string, string>;
    rateLimit: number;
    dailyQuota: number;
    /** Minutes after China midnight: calls allowed from `start` (inclusive) to `end` (exclusive). */
    callingHours: { start: number; end: number; text: string };
    consentRetentionDays: number;
  };
  dataKey: Buffer;
  logLevel: string;
  retentionDays: number;
  noticeSendRate: number;
  /** A screen or batch not decided within this answers allow/degraded (the network needs an answer within 100 ms). */
  carrierScreenDeadlineMs: number;
  /** Deadline of a Redis command whose caller names none of its own. */
  redisCommandTimeoutMs: number;
  /** Deadline of one MySQL query after start (migrations are exempt); 0: none. */
  dbQueryTimeoutMs: number;
  /** Deadline of opening one MySQL connection. */
  dbConnectTimeoutMs: number;
  /** The console's own listener (/ops/ only there); undefined: /ops/ on the main port. */
  admin?: { port: number; host: string };
  numberAuth: NumberAuthConfig;
  /** Behaviour protection thresholds (BEHAVIOUR_*). */
  behaviour: BehaviourConfig;
}

export interface BehaviourConfig {
  /** 异常高频: calls from one caller (to anyone) per window. */
  highFrequencyCalls: number;
  highFrequencyWindowMs: number;
  /** 呼死你: calls from one caller to one callee per window. */
  repeatCalls: number;
  repeatWindowMs: number;
  /** 响一声: a stopped call the caller hung up within this many ms of ringing… */
  oneRingMaxMs: number;
  /** …to this many distinct callees… */
  oneRingCallees: number;
  /** …within this window makes a one_ring label. */
  oneRingWindowMs: number;
}

/** 本机号码一键登录. `none`: the bind page offers the SMS code only. */
export interface NumberAuthConfig {
  provider: 'aliyun' | 'simulator' | 'none';
  aliyun: { accessKeyId?: string; accessKeySecret?: string; endpoint?: string; sceneCode?: string; sdkUrl?: string };
}

/** Unset, the embedded simulator plays the carrier wherever it plays WeChat; elsewhere nothing is assumed. */
function numberAuthConfig(e: Env, production: boolean, simulated: boolean): NumberAuthConfig {
  const provider = e.NUMBER_AUTH_PROVIDER ?? (simulated && !production ? 'simulator' : 'none');
  if (provider === 'simulator' && production) throw new ConfigError('NUMBER_AUTH_PROVIDER=simulator is for embedded mode only, never NODE_ENV=production');
  if (provider === 'aliyun') {
    const missing = [
      ['ALIYUN_ACCESS_KEY_ID', e.ALIYUN_ACCESS_KEY_ID],
      ['ALIYUN_ACCESS_KEY_SECRET', e.ALIYUN_ACCESS_KEY_SECRET],
      ['NUMBER_AUTH_SCENE_CODE', e.NUMBER_AUTH_SCENE_CODE],
      ['NUMBER_AUTH_SDK_URL', e.NUMBER_AUTH_SDK_URL],
    ].filter(([, v]) => !v);
    if (missing.length) throw new ConfigError(`NUMBER_AUTH_PROVIDER=aliyun needs ${missing.map(([k]) => k).join(', ')}`);
    if (!/^(https?:)?\/\/[^\s]+$|^\/[^\s]*$/.test(e.NUMBER_AUTH_SDK_URL!)) throw new ConfigError('NUMBER_AUTH_SDK_URL must be an https:// URL or a path on this server');
  }
  return {
    provider,
    aliyun: {
      accessKeyId: e.ALIYUN_ACCESS_KEY_ID,
      accessKeySecret: e.ALIYUN_ACCESS_KEY_SECRET,
      endpoint: e.NUMBER_AUTH_ENDPOINT,
      sceneCode: e.NUMBER_AUTH_SCENE_CODE,
      sdkUrl: e.NUMBER_AUTH_SDK_URL,
    },
  };
}

/** A template-based gateway's ids: per logical template first, else per purpose. */
export interface SmsTemplateIds {
  otp?: string;
  notice?: string;
  byName: Record<string, string>;
}

function templateIds(otp: string | undefined, notice: string | undefined, list: string | undefined): SmsTemplateIds {
  const byName: Record<string, string> = {};
  for (const pair of list ? list.split(',') : []) {
    const [name, id] = pair.trim().split('=');
    byName[name] = id;
  }
  return { otp: otp || undefined, notice: notice || undefined, byName };
}

export class ConfigError extends Error {}

function loadDataKey(raw: string | undefined, production: boolean, databaseUrl: string): Buffer {
  if (raw) {
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32) throw new ConfigError('DATA_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return key;
  }
  if (production) throw new ConfigError('DATA_KEY is required when NODE_ENV=production (openssl rand -base64 32)');
  // Embedded mode: a key generated once beside the SQLite file, so a restart can still read the phones.
  const dir = databaseUrl.startsWith('sqlite:') ? path.dirname(databaseUrl.slice('sqlite:'.length)) : './data';
  const file = path.join(dir === '' ? '.' : dir, 'data-key');
  if (fs.existsSync(file)) return loadDataKey(fs.readFileSync(file, 'utf8').trim(), production, databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}

/** Reads and validates the configuration; `source` defaults to process.env with `.env` merged underneath. */
export function loadConfig(source?: Record<string, string | undefined>): Config {
  let env: Record<string, string | undefined>;
  if (source) env = source;
  else {
    const fromFile = fs.existsSync('.env') ? dotenv.parse(fs.readFileSync('.env')) : {};
    env = { ...fromFile, ...process.env };
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (e.SMS_PROVIDER === 'http' && !e.SMS_HTTP_URL) throw new ConfigError('SMS_PROVIDER=http needs SMS_HTTP_URL');
  if (e.SMS_PROVIDER === 'aliyun' && !(e.ALIYUN_ACCESS_KEY_ID && e.ALIYUN_ACCESS_KEY_SECRET && e.ALIYUN_SMS_TEMPLATE_OTP))
    throw new ConfigError('SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET and ALIYUN_SMS_TEMPLATE_OTP');
  if (e.SMS_PROVIDER === 'tencent' && !(e.TENCENT_SECRET_ID && e.TENCENT_SECRET_KEY && e.TENCENT_SMS_APP_ID && e.TENCENT_SMS_TEMPLATE_OTP))
    throw new ConfigError('SMS_PROVIDER=tencent needs TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID and TENCENT_SMS_TEMPLATE_OTP');
  const simulated = e.WECHAT_APPID === SIMULATOR.appId;
  if (production && simulated) throw new ConfigError('NODE_ENV=production needs real WECHAT_APPID/WECHAT_APPSECRET/WECHAT_TOKEN');
  if (production && !e.WECHAT_API_BASE) throw new ConfigError('NODE_ENV=production needs WECHAT_API_BASE (https://api.weixin.qq.com)');
  // Without it menu, template and OAuth2 links would point at HOST:PORT, which no subscriber can reach.
  if (production && !e.PUBLIC_BASE_URL) throw new ConfigError('NODE_ENV=production needs PUBLIC_BASE_URL (the externally visible https://… base of this service)');
  const encodingAesKey = e.WECHAT_ENCODING_AES_KEY ?? (simulated ? SIMULATOR.encodingAesKey : undefined);
  const messageMode = e.WECHAT_MESSAGE_MODE ?? (encodingAesKey ? 'safe' : 'plain');
  if (messageMode !== 'plain' && !encodingAesKey) throw new ConfigError(`WECHAT_MESSAGE_MODE=${messageMode} needs WECHAT_ENCODING_AES_KEY`);
  const carrierKeys = new Map<string, string>();
  for (const pair of e.CARRIER_KEYS.split(',')) {
    const [id, ...rest] = pair.trim().split(':');
    carrierKeys.set(id, rest.join(':'));
  }
  const marketerKeys = new Map<string, string>();
  for (const pair of e.MARKETER_KEYS.split(',')) {
    const [id, ...rest] = pair.trim().split(':');
    marketerKeys.set(id, rest.join(':'));
  }
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const [hoursFrom, hoursTo] = e.MARKETER_CALLING_HOURS.split('-');
  if (minutes(hoursTo) <= minutes(hoursFrom) || minutes(hoursTo) > 1440) throw new ConfigError('MARKETER_CALLING_HOURS must end after it starts, within one day (e.g. 08:00-21:00)');
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
    role: e.ROLE,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL || undefined,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    migrateOnStart: e.MIGRATE_ON_START,
    wechat: {
      appId: e.WECHAT_APPID,
      appSecret: e.WECHAT_APPSECRET,
      token: e.WECHAT_TOKEN,
      encodingAesKey,
      messageMode,
      apiBase: e.WECHAT_API_BASE?.replace(/\/$/, ''),
      templateIntercept: e.WECHAT_TEMPLATE_INTERCEPT,
      templateEnabled: e.WECHAT_TEMPLATE_ENABLED,
      templateFamily: e.WECHAT_TEMPLATE_FAMILY,
      simulated,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN || undefined,
    sms: {
      provider: e.SMS_PROVIDER,
      httpUrl: e.SMS_HTTP_URL,
      inboundSecret: e.SMS_INBOUND_SECRET,
      signName: e.SMS_SIGN_NAME,
      aliyun: {
        accessKeyId: e.ALIYUN_ACCESS_KEY_ID,
        accessKeySecret: e.ALIYUN_ACCESS_KEY_SECRET,
        endpoint: e.ALIYUN_SMS_ENDPOINT,
        templates: templateIds(e.ALIYUN_SMS_TEMPLATE_OTP, e.ALIYUN_SMS_TEMPLATE_NOTICE, e.ALIYUN_SMS_TEMPLATES),
      },
      tencent: {
        secretId: e.TENCENT_SECRET_ID,
        secretKey: e.TENCENT_SECRET_KEY,
        appId: e.TENCENT_SMS_APP_ID,
        endpoint: e.TENCENT_SMS_ENDPOINT,
        region: e.TENCENT_SMS_REGION,
        templates: templateIds(e.TENCENT_SMS_TEMPLATE_OTP, e.TENCENT_SMS_TEMPLATE_NOTICE, e.TENCENT_SMS_TEMPLATES),
      },
      retries: e.SMS_RETRIES,
    },
    carrierKeys,
    carrierRateLimit: e.CARRIER_RATE_LIMIT,
    marketer: {
      keys: marketerKeys,
      rateLimit: e.MARKETER_RATE_LIMIT,
      dailyQuota: e.MARKETER_DAILY_QUOTA,
      callingHours: { start: minutes(hoursFrom), end: minutes(hoursTo), text: e.MARKETER_CALLING_HOURS },
      consentRetentionDays: e.CONSENT_RETENTION_DAYS,
    },
    dataKey: loadDataKey(e.DATA_KEY, production, e.DATABASE_URL),
    logLevel: e.LOG_LEVEL,
    retentionDays: e.RETENTION_DAYS,
    noticeSendRate: e.NOTICE_SEND_RATE,
    carrierScreenDeadlineMs: e.CARRIER_SCREEN_DEADLINE_MS,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    admin: e.ADMIN_PORT === undefined ? undefined : { port: e.ADMIN_PORT, host: e.ADMIN_HOST ?? e.HOST },
    behaviour: {
      highFrequencyCalls: e.BEHAVIOUR_HIGH_FREQUENCY_CALLS,
      highFrequencyWindowMs: e.BEHAVIOUR_HIGH_FREQUENCY_WINDOW_SECONDS * 1000,
      repeatCalls: e.BEHAVIOUR_REPEAT_CALLS,
      repeatWindowMs: e.BEHAVIOUR_REPEAT_WINDOW_SECONDS * 1000,
      oneRingMaxMs: e.BEHAVIOUR_ONE_RING_MAX_MS,
      oneRingCallees: e.BEHAVIOUR_ONE_RING_CALLEES,
      oneRingWindowMs: e.BEHAVIOUR_ONE_RING_WINDOW_HOURS * 3_600_000,
    },
    numberAuth: numberAuthConfig(e, production, simulated),
  };
}

/** The base URL the outside world sees: menu links and template links are built on it. */
export function publicBase(c: Config, boundPort?: number): string {
  return c.publicBaseUrl ?? `http://${c.host}:${boundPort ?? c.port}`;
}
