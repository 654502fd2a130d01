// The callback as an attacker meets it, through the whole server (MariaDB, Redis): safe mode cannot be
// downgraded to plain, stale and replayed requests have no effect, one user's MsgId never answers another,
// junk is refused before any XML parse, and every refusal is counted without a log line each.
// Serial: the metrics registry is one per process, and the counts are read as differences.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import test from 'ava';
import { createLogger } from '../app/log';
import { Subscriber } from '../entities';
import { eventually, startHarness, TEST_AES_KEY, TEST_TOKEN, type Harness } from './support/app-harness';
import { TEST_REDIS_URL } from './support/backends';
import { startServerProcess } from './support/server-process';
import { FAKE_APP } from './support/fake-wechat-api';
import { WechatSender } from './support/wechat-sender';

const openid = () => `o_sec_${crypto.randomBytes(6).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function senderFor(h: Harness, mode: 'plain' | 'compat' | 'safe') {
  return new WechatSender({ baseUrl: h.server.url, token: TEST_TOKEN, appId: FAKE_APP.appId, encodingAesKey: TEST_AES_KEY, mode });
}

async function subscriberExists(h: Harness, id: string) {
  return (await h.deps.db.getRepository(Subscriber).countBy({ openid: id })) > 0;
}

async function metric(h: Harness, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${h.server.url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** 64 KB of deeply nested elements: what took 15–57 ms of CPU to parse before it was authenticated. */
function nestedJunk(): string {
  const depth = 4000;
  const body = '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth);
  return `<xml>${body}${'<b>y</b>'.repeat(Math.floor((64 * 1024 - 20 - body.length) / 8))}</xml>`.slice(0, 64 * 1024);
}

for (const mode of ['safe', 'compat'] as const) {
  test.serial(`${mode} mode: a plain body under a valid plain signature is refused with 401 and changes nothing`, async (t) => {
    const h = await startHarness({ env: { WECHAT_MESSAGE_MODE: mode } });
    t.teardown(() => h.close());
    const attacker = senderFor(h, 'plain');
    const victim = openid();
    const before = await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'plain_in_safe_mode' });
    for (const content of ['拦截记录', '暂停', '绑定 13800138000']) {
      // Everything in the query is what one logged safe-mode URL shows: signature, timestamp, nonce.
      const res = await attacker.send(attacker.text(victim, content));
      t.is(res.status, 401, content);
      t.is(res.reply, undefined);
    }
    t.false(await subscriberExists(h, victim), 'the refused requests created nothing');
    t.is(h.sms.requests.length, 0, 'no code was sent');
    // The account's own encrypted traffic is answered, in the request's mode.
    const genuine = senderFor(h, mode);
    const ok = await genuine.send(genuine.text(victim, '拦截设置'));
    t.is(ok.status, 200);
    t.true(ok.encrypted);
    t.is(ok.reply?.ToUserName, victim);
    t.is((await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'plain_in_safe_mode' })) - before, 3);
  });
}

test.serial('plain mode (WECHAT_MESSAGE_MODE=plain) still answers plain requests', async (t) => {
  const h = await startHarness({ env: { WECHAT_MESSAGE_MODE: 'plain' } });
  t.teardown(() => h.close());
  const s = senderFor(h, 'plain');
  const res = await s.send(s.text(openid(), '拦截设置'));
  t.is(res.status, 200);
  t.false(res.encrypted);
  t.regex(res.reply?.Content ?? '', /绑定/);
});

test.serial('a timestamp more than 300 s from the server clock is refused, in safe and plain modes', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const s = senderFor(h, 'safe');
  const now = WechatSender.now();
  const u = openid();
  const before = await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'stale_timestamp' });
  // 330 s, not 301: on a loaded machine a second or more passes before the server reads the clock, which
  // would carry now + 301 back inside the window.
  for (const ts of [now - 330, now + 330, now - 7 * 24 * 3600]) {
    const res = await s.send(s.text(u, '拦截记录'), { timestamp: String(ts) });
    t.is(res.status, 401, String(ts - now));
    t.is(res.raw, 'stale timestamp');
  }
  t.false(await subscriberExists(h, u));
  t.is((await s.send(s.text(u, '拦截设置'), { timestamp: String(now - 290) })).status, 200, 'inside the window');
  t.is((await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'stale_timestamp' })) - before, 3);

  const p = await startHarness({ env: { WECHAT_MESSAGE_MODE: 'plain' } });
  t.teardown(() => p.close());
  const plain = senderFor(p, 'plain');
  t.is((await plain.send(plain.text(openid(), '拦截设置'), { timestamp: String(now - 400) })).status, 401);
  // URL verification holds to the same clock.
  const verify = await fetch(`${p.server.url}/wechat?${new URLSearchParams({ signature: plain.plainSignature(String(now - 400), '1'), timestamp: String(now - 400), nonce: '1', echostr: 'e' })}`);
  t.is(verify.status, 401);
});

test.serial('a captured OTP request replayed answers from the de-dup slot, and once that is gone the timestamp refuses it: one SMS', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const s = senderFor(h, 'safe');
  const u = openid();
  await s.send(s.click(u, 'FSR_BIND_PHONE'));
  // WeChat's clock a little behind ours: the request is fresh now and stale in a few seconds.
  const msgId = WechatSender.nextMsgId();
  const captured = s.envelope(s.text(u, '13800138001', msgId), { timestamp: String(WechatSender.now() - 297) });
  const post = () => fetch(`${s.url}?${captured.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: captured.body as string });
  t.is((await post()).status, 200);
  await eventually(() => h.codesFor('13800138001').length === 1);
  const replay = await post();
  t.is(replay.status, 200, 'within the slot: the same answer, not a second effect');
  t.is(h.codesFor('13800138001').length, 1);
  // The slot outlives every moment at which the timestamp could still pass (±300 s around it).
  const slot = `wx:dedupe:msg:${u}:${msgId}`;
  t.true((await h.deps.store.ttl(slot)) > 600_000, 'the de-dup slot is kept longer than the timestamp window');
  await sleep(4000);
  await h.deps.store.del(slot); // as if its TTL had run out
  const late = await post();
  t.is(late.status, 401);
  t.is(await late.text(), 'stale timestamp');
  await sleep(300);
  t.is(h.codesFor('13800138001').length, 1, 'no second OTP SMS');
});

test.serial("one user's MsgId never answers another user", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const s = senderFor(h, 'safe');
  const a = openid();
  const b = openid();
  const msgId = WechatSender.nextMsgId();
  const ra = await s.send(s.text(a, '拦截设置', msgId));
  const rb = await s.send(s.text(b, '拦截设置', msgId));
  t.is(ra.reply?.ToUserName, a);
  t.is(rb.reply?.ToUserName, b, "b is answered, not handed a's cached reply");
  t.true(await subscriberExists(h, b), "b's message was handled");
});

test.serial('junk is refused with 401 before any XML parse: 64 KB of nested XML, an Encrypt hidden in CDATA, a repeated Encrypt', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const s = senderFor(h, 'safe');
  const junk = nestedJunk();
  const before = await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'signature' });
  t.true(Buffer.byteLength(junk) <= 64 * 1024);
  const url = `${s.url}?${new URLSearchParams({ encrypt_type: 'aes', msg_signature: 'x', timestamp: String(WechatSender.now()), nonce: '1', signature: 'x' })}`;
  for (const body of [junk, `<xml><Content><![CDATA[<Encrypt>QUJD</Encrypt>]]></Content></xml>`, `<xml><Encrypt>QUJD</Encrypt><Encrypt>REVG</Encrypt></xml>`, `<xml><Encrypt><a/></Encrypt></xml>`]) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    t.is(res.status, 401, body.slice(0, 40));
  }
  t.is((await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'signature' })) - before, 4);
  // A compatible-mode message whose own text contains "<Encrypt>" is read correctly: CDATA is skipped.
  const c = await startHarness({ env: { WECHAT_MESSAGE_MODE: 'compat' } });
  t.teardown(() => c.close());
  const compat = senderFor(c, 'compat');
  const res = await compat.send(compat.text(openid(), '<Encrypt>QUJD</Encrypt> 拦截设置'));
  t.is(res.status, 200);
  t.true(res.encrypted);
});

test.serial('refusals are counted one by one but logged only a few times a minute', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const h = await startHarness({ log: createLogger('info', sink) });
  t.teardown(() => h.close());
  const s = senderFor(h, 'plain');
  const before = await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'plain_in_safe_mode' });
  const beforeBig = await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'body_too_large' });
  for (let i = 0; i < 40; i++) t.is((await s.send(s.text(openid(), 'x'))).status, 401);
  const big = await fetch(`${s.url}?encrypt_type=aes`, { method: 'POST', body: Buffer.alloc(70 * 1024, 0x20) });
  t.is(big.status, 413);
  t.is((await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'plain_in_safe_mode' })) - before, 40);
  t.is((await metric(h, 'fsr_refused_requests_total', { route: 'wechat', reason: 'body_too_large' })) - beforeBig, 1);
  const refusedLines = lines.filter((l) => l.includes('request refused'));
  t.true(refusedLines.length >= 1 && refusedLines.length <= 5, `${refusedLines.length} lines for 41 refusals`);
});

test.serial('a retry delivered to a second server process on the same MariaDB and Redis is answered once: one OTP SMS', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const c = h.deps.config;
  // `npm start` as a second process of the same deployment (web only, no migration of its own).
  const other = await startServerProcess({
    DATABASE_URL: h.dbUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: c.redisKeyPrefix,
    DATA_KEY: c.dataKey.toString('base64'),
    WECHAT_APPID: FAKE_APP.appId,
    WECHAT_APPSECRET: FAKE_APP.appSecret,
    WECHAT_TOKEN: TEST_TOKEN,
    WECHAT_ENCODING_AES_KEY: TEST_AES_KEY,
    WECHAT_API_BASE: h.wechat.baseUrl,
    WECHAT_TEMPLATE_INTERCEPT: FAKE_APP.templateIntercept,
    WECHAT_TEMPLATE_ENABLED: FAKE_APP.templateEnabled,
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: h.sms.url,
  });
  t.teardown(() => other.close());
  const otherUrl = other.url;
  const s = senderFor(h, 'safe');
  const u = openid();
  await s.send(s.click(u, 'FSR_BIND_PHONE'));
  const captured = s.envelope(s.text(u, '13800138002'));
  const post = (base: string) => fetch(`${base}/wechat?${captured.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: captured.body as string });
  // WeChat's retry lands on the other process while the first delivery may still be running.
  const answers = await Promise.all([post(h.server.url), post(otherUrl), post(otherUrl)]);
  const bodies = await Promise.all(answers.map((a) => a.text()));
  t.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200],
  );
  t.true(bodies.every((b) => b.includes('<Encrypt>') || b === 'success'));
  await eventually(() => h.codesFor('13800138002').length === 1);
  await sleep(500);
  t.is(h.codesFor('13800138002').length, 1, 'one code for three deliveries across two processes');
});
