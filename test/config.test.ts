// One typed configuration, validated at start with a sentence an operator can act on.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig, SIMULATOR } from '../app/config';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-config-'));

test('no configuration at all: the embedded defaults of the contract', (t) => {
  const dir = tmp();
  const c = loadConfig({ DATABASE_URL: `sqlite:${dir}/fsr.sqlite` });
  t.is(c.port, 3000);
  t.is(c.host, '127.0.0.1');
  t.is(c.redisUrl, undefined);
  t.is(c.wechat.appId, SIMULATOR.appId);
  t.is(c.wechat.apiBase, undefined, 'the built-in simulator answers the WeChat API');
  t.is(c.sms.provider, 'console');
  t.is(c.dataKey.length, 32);
  t.true(fs.existsSync(path.join(dir, 'data-key')), 'the generated key is kept beside the database, so phones stay readable after a restart');
  t.deepEqual(loadConfig({ DATABASE_URL: `sqlite:${dir}/fsr.sqlite` }).dataKey, c.dataKey);
  t.is(loadConfig({}).databaseUrl, 'sqlite:./data/fsr.sqlite');
});

test('bad values are refused with the variable named', (t) => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ DATABASE_URL: 'postgres://x' }, /DATABASE_URL: must be mysql/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ WECHAT_ENCODING_AES_KEY: 'short' }, /WECHAT_ENCODING_AES_KEY: must be the 43-character/],
    [{ CARRIER_KEYS: 'nosecret' }, /CARRIER_KEYS/],
    [{ SMS_PROVIDER: 'http' }, /SMS_HTTP_URL/],
    [{ DATA_KEY: 'dG9vIHNob3J0' }, /DATA_KEY must be 32 bytes/],
    [{ NOTICE_SEND_RATE: '0' }, /NOTICE_SEND_RATE/],
    [{ NODE_ENV: 'production', WECHAT_APPID: 'wx1234567890abcdef', WECHAT_API_BASE: 'https://api.weixin.qq.com', PUBLIC_BASE_URL: 'https://fsr.example.com' }, /DATA_KEY is required/],
    [{ WECHAT_MESSAGE_MODE: 'encrypted' }, /WECHAT_MESSAGE_MODE/],
    [{ WECHAT_APPID: 'wx1234567890abcdef', WECHAT_MESSAGE_MODE: 'safe' }, /WECHAT_MESSAGE_MODE=safe needs WECHAT_ENCODING_AES_KEY/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN/],
  ];
  for (const [env, message] of bad) t.throws(() => loadConfig({ DATABASE_URL: `sqlite:${tmp()}/x.sqlite`, ...env }), { instanceOf: ConfigError, message }, JSON.stringify(env));
});

test('production refuses the simulator: real WeChat credentials and WECHAT_API_BASE are required', (t) => {
  const key = Buffer.alloc(32, 7).toString('base64');
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATA_KEY: key }), { message: /real WECHAT_APPID/ });
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATA_KEY: key, WECHAT_APPID: 'wx1234567890abcdef' }), { message: /WECHAT_API_BASE/ });
  const ok = loadConfig({ NODE_ENV: 'production', DATA_KEY: key, WECHAT_APPID: 'wx1234567890abcdef', WECHAT_API_BASE: 'https://api.weixin.qq.com/', PUBLIC_BASE_URL: 'https://fsr.example.com/' });
  t.is(ok.wechat.apiBase, 'https://api.weixin.qq.com');
  t.is(ok.publicBaseUrl, 'https://fsr.example.com');
  t.false(ok.wechat.simulated);
  t.false(ok.trustProxy, 'X-Forwarded-* are ignored unless TRUST_PROXY says a proxy sets them');
});

test('production without PUBLIC_BASE_URL refuses to start and says why (links would point at 127.0.0.1)', (t) => {
  const env = { NODE_ENV: 'production', DATA_KEY: Buffer.alloc(32, 7).toString('base64'), WECHAT_APPID: 'wx1234567890abcdef', WECHAT_API_BASE: 'https://api.weixin.qq.com' };
  t.throws(() => loadConfig(env), { instanceOf: ConfigError, message: /NODE_ENV=production needs PUBLIC_BASE_URL/ });
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../app/main.js')], { env: { PATH: process.env.PATH, ...env, DATABASE_URL: `sqlite:${tmp()}/x.sqlite` }, cwd: tmp(), encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /PUBLIC_BASE_URL/);
});

test('WECHAT_MESSAGE_MODE: safe by default with an EncodingAESKey, plain without; compat when asked', (t) => {
  const dir = tmp();
  const aes = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const real = { DATABASE_URL: `sqlite:${dir}/x.sqlite`, WECHAT_APPID: 'wx1234567890abcdef' };
  t.is(loadConfig(real).wechat.messageMode, 'plain');
  t.is(loadConfig({ ...real, WECHAT_ENCODING_AES_KEY: aes }).wechat.messageMode, 'safe');
  t.is(loadConfig({ ...real, WECHAT_ENCODING_AES_KEY: aes, WECHAT_MESSAGE_MODE: 'compat' }).wechat.messageMode, 'compat');
  t.is(loadConfig({ ...real, WECHAT_ENCODING_AES_KEY: aes, WECHAT_MESSAGE_MODE: 'plain' }).wechat.messageMode, 'plain');
  t.is(loadConfig({ DATABASE_URL: `sqlite:${dir}/x.sqlite` }).wechat.messageMode, 'safe', 'the simulator talks safe mode');
});

test('the server stops at start with the message, not a stack trace', (t) => {
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../app/main.js')], { env: { PATH: process.env.PATH, DATABASE_URL: 'oracle://nope' }, cwd: tmp(), encoding: 'utf8' });
  t.is(r.status, 2);
  t.regex(r.stderr, /Invalid configuration:\n {2}DATABASE_URL: must be mysql/);
  t.notRegex(r.stderr, /at .*\.js:\d+/);
});
