// Every environment variable the README lists, with its default and the check it must pass: read only by
// loadConfig (config.ts), which turns it into the typed Config.
import { z } from 'zod';

/** Values the built-in simulator answers to; a server configured with them is a demo, never production. */
export const SIMULATOR = {
  appId: 'wxsimulator000001',
  appSecret: 'simulator-secret-0000000000000000',
  token: 'simulatortoken',
  templateIntercept: 'SIM_TPL_INTERCEPT',
  templateEnabled: 'SIM_TPL_ENABLED',
  templateFamily: 'SIM_TPL_FAMILY',
  smsInboundSecret: 'simulator-sms-secret',
  carrierKey: 'sim-carrier:sim-carrier-secret',
  marketerKey: 'sim-marketer:sim-marketer-secret',
  // The simulator talks to /wechat in safe mode, as WeChat does for most accounts.
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
} as const;

const bool = (def: boolean) =>
  z.preprocess((v) => (v === undefined || v === '' ? def : ['1', 'true', 'yes', 'on'].includes(String(v).toLowerCase())), z.boolean());

const templateList = z
  .string()
  .optional()
  .refine((s) => !s || s.split(',').every((p) => /^\s*[a-z_]+=[^=,\s]+\s*$/.test(p)), 'must be name=templateId[,name=templateId…]');

export const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/fsr.sqlite')
    .refine((u) => /^(mysql|mariadb):\/\//.test(u) || u.startsWith('sqlite:'), 'must be mysql://… or sqlite:path'),
  REDIS_URL: z
    .string()
    .optional()
    .refine((u) => !u || /^rediss?:\/\//.test(u) || u.startsWith('redis-cluster://'), 'must be redis://… or redis-cluster://host:port,…'),
  REDIS_KEY_PREFIX: z.string().default('fsr:'),
  MIGRATE_ON_START: bool(true),
  WECHAT_APPID: z.string().default(SIMULATOR.appId),
  WECHAT_APPSECRET: z.string().default(SIMULATOR.appSecret),
  WECHAT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, '3–32 letters or digits, as WeChat requires').default(SIMULATOR.token),
  WECHAT_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the WeChat console')
    .optional(),
  WECHAT_MESSAGE_MODE: z.enum(['plain', 'compat', 'safe']).optional(),
  WECHAT_API_BASE: z.url().optional(),
  WECHAT_TEMPLATE_INTERCEPT: z.string().default(SIMULATOR.templateIntercept),
  WECHAT_TEMPLATE_ENABLED: z.string().default(SIMULATOR.templateEnabled),
  WECHAT_TEMPLATE_FAMILY: z.string().default(SIMULATOR.templateFamily),
  PUBLIC_BASE_URL: z.url().optional(),
  // X-Forwarded-* only count behind a proxy that sets them; otherwise any client could choose our host.
  TRUST_PROXY: bool(false),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  SMS_PROVIDER: z.enum(['console', 'http', 'aliyun', 'tencent']).default('console'),
  SMS_HTTP_URL: z.url().optional(),
  SMS_INBOUND_SECRET: z.string().min(8).default(SIMULATOR.smsInboundSecret),
  SMS_SIGN_NAME: z.string().default('防骚扰服务'),
  ALIYUN_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_ACCESS_KEY_SECRET: z.string().optional(),
  ALIYUN_SMS_ENDPOINT: z.string().optional(),
  TENCENT_SECRET_ID: z.string().optional(),
  TENCENT_SECRET_KEY: z.string().optional(),
  TENCENT_SMS_APP_ID: z.string().optional(),
  TENCENT_SMS_ENDPOINT: z.string().optional(),
  TENCENT_SMS_REGION: z.string().default('ap-guangzhou'),
  // Template ids: one per purpose, and optionally one per logical template (`enabled=SMS_123,digest=SMS_456`).
  ALIYUN_SMS_TEMPLATE_OTP: z.string().optional(),
  ALIYUN_SMS_TEMPLATE_NOTICE: z.string().optional(),
  ALIYUN_SMS_TEMPLATES: templateList,
  TENCENT_SMS_TEMPLATE_OTP: z.string().optional(),
  TENCENT_SMS_TEMPLATE_NOTICE: z.string().optional(),
  TENCENT_SMS_TEMPLATES: templateList,
  SMS_RETRIES: z.coerce.number().int().min(1).max(10).default(3),
  CARRIER_KEYS: z
    .string()
    .default(SIMULATOR.carrierKey)
    .refine((s) => s.split(',').every((p) => /^[^:,\s]+:[^,\s]{8,}$/.test(p.trim())), 'must be keyId:secret[,keyId:secret…], secrets of 8+ characters'),
  // Requests per second per carrier key, counted across processes through the store.
  CARRIER_RATE_LIMIT: z.coerce.number().int().min(1).default(20000),
  MARKETER_KEYS: z
    .string()
    .default(SIMULATOR.marketerKey)
    .refine((s) => s.split(',').every((p) => /^[A-Za-z0-9._-]{1,64}:[^,\s]{8,}$/.test(p.trim())), 'must be keyId:secret[,keyId:secret…], key ids of [A-Za-z0-9._-], secrets of 8+ characters'),
  // Requests per second per marketer key, and numbers scrubbed per key per China day (against enumeration).
  MARKETER_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  MARKETER_DAILY_QUOTA: z.coerce.number().int().min(1).default(2_000_000),
  // When marketing calls may be placed, China time; scrubs outside answer outside_hours.
  MARKETER_CALLING_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:MM-HH:MM (China time), e.g. 08:00-21:00')
    .default('08:00-21:00'),
  // Consent evidence is kept this long after a consent ends, then purged; regulation asks for at least five months.
  CONSENT_RETENTION_DAYS: z.coerce.number().int().min(153).default(183),
  DATA_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(180),
  // WeChat template sends per second across every worker (the account's quota decides it).
  NOTICE_SEND_RATE: z.coerce.number().int().min(1).max(100_000).default(500),
  // Deadlines of the shared parts on request paths (fail fast; see the README's "When a part fails").
  CARRIER_SCREEN_DEADLINE_MS: z.coerce.number().int().min(5).max(10_000).default(50),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(2500),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  // The operators' console (/ops/) on its own port (an internal interface), and then not on PORT.
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ADMIN_HOST: z.string().optional(),
  // Behaviour protection (docs/decisions.md "Behaviour"): 异常高频, 呼死你 and 响一声 thresholds.
  BEHAVIOUR_HIGH_FREQUENCY_CALLS: z.coerce.number().int().min(2).default(100),
  BEHAVIOUR_HIGH_FREQUENCY_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  BEHAVIOUR_REPEAT_CALLS: z.coerce.number().int().min(2).default(10),
  BEHAVIOUR_REPEAT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  BEHAVIOUR_ONE_RING_MAX_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
  BEHAVIOUR_ONE_RING_CALLEES: z.coerce.number().int().min(1).default(5),
  BEHAVIOUR_ONE_RING_WINDOW_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  // 本机号码一键登录: the carrier's number authentication behind the H5 bind page.
  NUMBER_AUTH_PROVIDER: z.enum(['aliyun', 'simulator', 'none']).optional(),
  NUMBER_AUTH_ENDPOINT: z.string().optional(),
  NUMBER_AUTH_SCENE_CODE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'the 方案Code from the number authentication console').optional(),
  NUMBER_AUTH_SDK_URL: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;
