// The deciding server as a carrier runs it, for the benches that measure it: the environment of
// NODE_ENV=production (the embedded WeChat simulator and its pages are then not mounted, so every screen
// passes only the middleware a carrier's server has) and the Node flags `npm start` gives. WeChat itself is
// never called on the screen path: its base points at a closed port, and the credentials are placeholders.
import fs from 'node:fs';
import path from 'node:path';

export const PRODUCTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  NODE_ENV: 'production',
  WECHAT_APPID: 'wxbench0000000000',
  WECHAT_APPSECRET: 'bench-app-secret-not-used-0000000',
  WECHAT_TOKEN: 'benchtoken',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  PUBLIC_BASE_URL: 'https://fangsaorao.bench.invalid',
  METRICS_TOKEN: 'bench-metrics-token',
});

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
