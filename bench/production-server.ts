// The deciding server as a carrier runs it, for the benches that measure it: the environment of
// NODE_ENV=production (the embedded WeChat simulator and its pages are then not mounted, so every screen
// passes only the middleware a carrier's server has) and the Node flags `npm start` gives. WeChat itself is
// never called on the screen path: its base points at a closed port, and the credentials are placeholders.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TEST_REDIS_URL } from '../test/support/backends';

const PRODUCTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  NODE_ENV: 'production',
  WECHAT_APPID: 'wxbench0000000000',
  WECHAT_APPSECRET: 'bench-app-secret-not-used-0000000',
  WECHAT_TOKEN: 'benchtoken',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  PUBLIC_BASE_URL: 'https://fangsaorao.bench.invalid',
  METRICS_TOKEN: 'bench-metrics-token',
});

/**
 * The environment of one deciding server under a bench (ROLE=web): its database, its own Redis prefix, one
 * carrier key whose budget is never what is measured, and the production assembly. CARRIER_BENCH_DEV=1
 * gives the development one instead (the simulator mounted), to compare.
 */
export function carrierServerEnv(o: { databaseUrl: string; redisPrefix: string; keyId: string; secret: string; dataKey?: string }): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: o.redisPrefix,
    DATA_KEY: o.dataKey ?? crypto.randomBytes(32).toString('base64'),
    CARRIER_KEYS: `${o.keyId}:${o.secret}`,
    CARRIER_RATE_LIMIT: '1000000000',
    LOG_LEVEL: 'warn',
    ...(process.env.CARRIER_BENCH_DEV ? { NODE_ENV: 'development' } : PRODUCTION_ENV),
    ROLE: 'web',
  };
}

/** The flags between `node` and the script in package.json's `start` (one home: what production runs). */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /(?:^|&&\s*)node\s+((?:--\S+\s+)*)dist\/app\/main\.js/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json's start script does not run node dist/app/main.js: ${pkg.scripts.start}`);
  return m[1].split(/\s+/).filter(Boolean);
}

/** The server processes' flags: CARRIER_BENCH_NODE_FLAGS when set (to try others; "" for none), else `npm start`'s. */
export function serverNodeFlags(): string[] {
  const env = process.env.CARRIER_BENCH_NODE_FLAGS;
  return env === undefined ? startNodeFlags() : env.split(/\s+/).filter(Boolean);
}
