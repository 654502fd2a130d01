// The deciding server as a carrier runs it, for the benches that measure it: the environment of
// NODE_ENV=production (the embedded WeChat simulator and its pages are then not mounted, so every screen
// passes only the middleware a carrier's server has). WeChat itself is never called on the screen path:
// its base points at a closed port, and the credentials are placeholders.

export const PRODUCTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  NODE_ENV: 'production',
  WECHAT_APPID: 'wxbench0000000000',
  WECHAT_APPSECRET: 'bench-app-secret-not-used-0000000',
  WECHAT_TOKEN: 'benchtoken',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  PUBLIC_BASE_URL: 'https://fangsaorao.bench.invalid',
  METRICS_TOKEN: 'bench-metrics-token',
});
