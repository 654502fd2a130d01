// The callback processor mounted on a small Koa server, driven by a stand-in for WeChat's servers, on the
// real Redis and on the in-process store: modes, refusals, retries and the time budget.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import Koa from 'koa';
import { createClient } from 'redis';
import { createLogger } from '../app/log';
import type { Store } from '../app/store';
import { createCallback, type Callback, type CallbackOptions } from '../app/wechat/callback';
import type { InboundMessage } from '../app/wechat/message';
import { BodyTooLarge, readRawBody } from '../app/http/raw-body';
import type { Reply } from '../app/wechat/reply';
import { createTestStore, TEST_REDIS_URL, testRedisPrefix } from './support/backends';
import { WechatSender, type SenderMode } from './support/wechat-sender';

const TOKEN = 'fsrcallbacktoken';
const APP_ID = 'wxfsrcallback00001';
const RAW_LIMIT = 128 * 1024;

interface Harness {
  callback: Callback;
  dispatched: InboundMessage[];
  url: string;
  sender(mode: SenderMode, overrides?: Partial<ConstructorParameters<typeof WechatSender>[0]>): WechatSender;
  close(): Promise<void>;
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function deleteRedisPrefix(prefix: string) {
  const c = createClient({ url: TEST_REDIS_URL });
  await c.connect();
  const keys: string[] = [];
  for await (const batch of c.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...(batch as unknown as string[]));
  if (keys.length) await c.del(keys);
  await c.quit();
}

async function harness(
  kind: 'redis' | 'memory',
  opts: Partial<Omit<CallbackOptions, 'dispatch' | 'store'>> & { handler?: (msg: InboundMessage) => Promise<Reply | null>; withoutKey?: boolean } = {},
): Promise<Harness> {
  const prefix = testRedisPrefix();
  const store: Store = await createTestStore(kind, prefix);
  const key = crypto.randomBytes(32).toString('base64').slice(0, 43);
  const dispatched: InboundMessage[] = [];
  const handler = opts.handler ?? (async (m: InboundMessage) => (m.msgType === 'text' ? { type: 'text' as const, content: `收到：${m.content}` } : null));
  const callback = createCallback({
    token: TOKEN,
    appId: APP_ID,
    encodingAesKey: opts.withoutKey ? undefined : key,
    // Plain mode with a key accepts both plain and encrypted requests, so one callback serves every sender
    // here; what safe and compatible modes refuse is tested below and through the whole server.
    mode: 'plain',
    store,
    ...opts,
    dispatch: async (m) => {
      dispatched.push(m);
      return handler(m);
    },
  });

  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path !== '/wechat') return;
    let r;
    if (ctx.method === 'GET') r = callback.verifyUrl(ctx.query);
    else if (ctx.method === 'POST') {
      try {
        r = await callback.handle(ctx.query, await readRawBody(ctx.req, RAW_LIMIT));
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err;
        r = { status: err.status, contentType: 'text/plain', body: 'too large' };
      }
    } else return;
    ctx.status = r.status;
    ctx.type = r.contentType;
    ctx.body = r.body;
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    callback,
    dispatched,
    url,
    sender: (mode, overrides = {}) => new WechatSender({ baseUrl: url, token: TOKEN, appId: APP_ID, encodingAesKey: key, mode, ...overrides }),
    async close() {
      await callback.drain();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      if (kind === 'redis') await deleteRedisPrefix(prefix);
    },
  };
}

const openid = () => `o_${crypto.randomBytes(6).toString('hex')}`;

for (const kind of ['redis', 'memory'] as const) {
  test(`${kind}: URL verification echoes echostr only to a correct signature`, async (t) => {
    const h = await harness(kind);
    const s = h.sender('safe');
    const ok = await s.verifyUrl();
    t.is(ok.status, 200);
    t.is(ok.body, ok.echostr);
    const bad = await s.verifyUrl('abc', { signature: '0'.repeat(40) });
    t.is(bad.status, 401);
    t.is(bad.body, 'invalid signature');
    await h.close();
  });

  for (const mode of ['plain', 'compat', 'safe'] as const) {
    test(`${kind}: a ${mode}-mode text is answered in ${mode} mode`, async (t) => {
      const h = await harness(kind);
      const s = h.sender(mode);
      const user = openid();
      const msgId = WechatSender.nextMsgId();
      const res = await s.send(s.text(user, '开启防护', msgId));
      t.is(res.status, 200);
      t.is(res.encrypted, mode !== 'plain');
      t.is(res.reply?.ToUserName, user);
      t.is(res.reply?.FromUserName, s.accountId);
      t.is(res.reply?.MsgType, 'text');
      t.is(res.reply?.Content, '收到：开启防护');
      t.regex(res.reply?.CreateTime ?? '', /^\d{10}$/);
      if (mode !== 'plain') t.false(res.raw.includes('收到')); // nothing readable on the wire
      t.is(h.dispatched.length, 1);
      t.is(h.dispatched[0].msgId, msgId);
      t.is(h.dispatched[0].fromUserName, user);
      await h.close();
    });
  }

  test(`${kind}: a news reply goes out sealed in safe mode`, async (t) => {
    const h = await harness(kind, { handler: async () => ({ type: 'news', articles: [{ title: '拦截记录', description: '最近 7 天', url: 'https://example.test/h5/records' }] }) });
    const s = h.sender('safe');
    const res = await s.send(s.click(openid(), 'RECORDS'));
    t.true(res.encrypted);
    t.is(res.reply?.MsgType, 'news');
    t.is(res.reply?.ArticleCount, '1');
    t.true(res.replyXml?.includes('<Title><![CDATA[拦截记录]]></Title>'));
    await h.close();
  });

  test(`${kind}: a wrong signature gets 401, reaches no handler and claims nothing`, async (t) => {
    const h = await harness(kind);
    const s = h.sender('plain');
    const fields = s.text(openid(), 'hello');
    const forged = await s.send(fields, { query: { signature: crypto.randomBytes(20).toString('hex') } });
    t.is(forged.status, 401);
    t.is(forged.raw, 'invalid signature');
    const missing = await s.send(fields, { query: { signature: undefined } });
    t.is(missing.status, 401);
    t.is(h.dispatched.length, 0);
    // The genuine delivery of the same MsgId is still the first: the forgery left no dedupe slot behind.
    const genuine = await s.send(fields);
    t.is(genuine.reply?.Content, '收到：hello');
    t.is(h.dispatched.length, 1);
    await h.close();
  });

  test(`${kind}: in safe mode only msg_signature over the ciphertext counts`, async (t) => {
    const h = await harness(kind);
    for (const mode of ['safe', 'compat'] as const) {
      const s = h.sender(mode);
      const timestamp = String(WechatSender.now());
      const nonce = '123456';
      const fields = s.text(openid(), 'hello');
      // The plain signature is valid for this timestamp and nonce, but it is not a msg_signature.
      const confused = await s.send(fields, { timestamp, nonce, query: { msg_signature: s.plainSignature(timestamp, nonce) } });
      t.is(confused.status, 401);
      const absent = await s.send(fields, { query: { msg_signature: undefined } });
      t.is(absent.status, 401);
      // A ciphertext swapped under a signature computed for another one.
      const a = s.envelope(fields);
      const b = s.envelope(s.text(openid(), 'evil'), { timestamp: a.query.get('timestamp')!, nonce: a.query.get('nonce')! });
      const swapped = await fetch(`${s.url}?${a.query}`, { method: 'POST', body: b.body as string });
      t.is(swapped.status, 401);
    }
    t.is(h.dispatched.length, 0);
    await h.close();
  });

  test(`${kind}: a payload sealed for another appid is refused even with a valid msg_signature`, async (t) => {
    const h = await harness(kind);
    const s = h.sender('safe');
    const res = await s.send(s.text(openid(), 'hello'), { sealForAppId: 'wxsomeoneelse00001' });
    t.is(res.status, 401);
    t.is(res.raw, 'invalid appid');
    t.is(h.dispatched.length, 0);
    await h.close();
  });

  test(`${kind}: malformed, hostile and oversized bodies get 400 (413 past the read limit) and change nothing`, async (t) => {
    const h = await harness(kind);
    const plain = h.sender('plain');
    const safe = h.sender('safe');
    const u = openid();
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><ToUserName>gh</ToUserName><FromUserName>${u}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>${u}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>`;
    for (const rawBody of ['<xml><Content>hi</xml>', 'not xml at all', '', lol, xxe, `<xml><Content><![CDATA[${'x'.repeat(70_000)}]]></Content></xml>`]) {
      const res = await plain.send({}, { rawBody });
      t.is(res.status, 400, rawBody.slice(0, 30));
      t.false(res.raw.includes('root:'));
    }
    // Well-formed but not a message.
    t.is((await plain.send({ ToUserName: 'gh', FromUserName: u, MsgType: 'text' })).status, 400);
    // Safe mode: no Encrypt element at all, so nothing msg_signature could cover.
    t.is((await safe.send({}, { rawBody: '<xml><ToUserName>gh</ToUserName></xml>' })).status, 401);
    // Past the raw-body limit, the reader stops before buffering it all.
    t.is((await plain.send({}, { rawBody: Buffer.alloc(RAW_LIMIT + 1, 0x20) })).status, 413);
    t.is(h.dispatched.length, 0);
    await h.close();
  });

  test(`${kind}: an encrypted request without a configured EncodingAESKey gets 400`, async (t) => {
    const h = await harness(kind, { withoutKey: true });
    const res = await h.sender('safe').send(h.sender('safe').text(openid(), 'hello'));
    t.is(res.status, 400);
    const plain = await h.sender('plain').send(h.sender('plain').text(openid(), 'hello'));
    t.is(plain.reply?.Content, '收到：hello');
    t.is(h.dispatched.length, 1);
    await h.close();
  });

  test(`${kind}: the same MsgId twice is handled once and answered the same both times`, async (t) => {
    const h = await harness(kind);
    for (const mode of ['plain', 'safe'] as const) {
      const s = h.sender(mode);
      const fields = s.text(openid(), `once ${mode}`);
      const first = await s.send(fields);
      const retry = await s.send(fields, { nonce: '987654' });
      t.is(first.reply?.Content, `收到：once ${mode}`);
      t.deepEqual(retry.reply, first.reply);
    }
    t.is(h.dispatched.length, 2);
    await h.close();
  });

  test(`${kind}: concurrent deliveries of one MsgId wait for the first and share its answer`, async (t) => {
    const release = deferred();
    let calls = 0;
    const h = await harness(kind, {
      handler: async (m) => {
        calls += 1;
        await release.promise;
        return { type: 'text', content: `第${calls}次：${m.content}` };
      },
    });
    const s = h.sender('safe');
    const fields = s.text(openid(), '并发');
    const pending = [s.send(fields), s.send(fields), s.send(fields)];
    while (h.dispatched.length === 0) await new Promise((r) => setTimeout(r, 10));
    release.resolve();
    const answers = await Promise.all(pending);
    t.is(calls, 1);
    for (const a of answers) t.deepEqual(a.reply, answers[0].reply);
    t.is(answers[0].reply?.Content, '第1次：并发');
    await h.close();
  });

  test(`${kind}: a retry that outwaits a still-running first delivery answers success, later ones the reply`, async (t) => {
    const release = deferred();
    const h = await harness(kind, {
      dedupe: { waitMs: 50, pollMs: 10 },
      handler: async (m) => {
        await release.promise;
        return { type: 'text', content: `done ${m.content}` };
      },
    });
    const s = h.sender('plain');
    const fields = s.text(openid(), 'slowly');
    const first = s.send(fields);
    while (h.dispatched.length === 0) await new Promise((r) => setTimeout(r, 10));
    const early = await s.send(fields);
    t.is(early.raw, 'success');
    release.resolve();
    t.is((await first).reply?.Content, 'done slowly');
    t.is((await s.send(fields)).reply?.Content, 'done slowly');
    t.is(h.dispatched.length, 1);
    await h.close();
  });

  test(`${kind}: events are de-duplicated by sender, CreateTime, event and key`, async (t) => {
    const h = await harness(kind, { handler: async (m) => ({ type: 'text', content: `${m.event}:${m.eventKey ?? ''}` }) });
    const s = h.sender('compat');
    const u = openid();
    const sub = s.subscribe(u, '42');
    t.is((await s.send(sub)).reply?.Content, 'subscribe:qrscene_42');
    t.is((await s.send(sub)).reply?.Content, 'subscribe:qrscene_42');
    t.is(h.dispatched.length, 1);
    t.is(h.dispatched[0].ticket, 'gQ_ticket_42');
    // Same second, different key: a different tap.
    const a = s.event(u, 'CLICK', 'A', {}, 1_700_000_000);
    const b = s.event(u, 'CLICK', 'B', {}, 1_700_000_000);
    await s.send(a);
    await s.send(b);
    await s.send(a);
    // Same key, a later second: a second tap.
    await s.send(s.event(u, 'CLICK', 'A', {}, 1_700_000_001));
    t.deepEqual(
      h.dispatched.map((m) => `${m.event}:${m.eventKey ?? ''}`),
      ['subscribe:qrscene_42', 'click:A', 'click:B', 'click:A'],
    );
    await h.close();
  });

  test(`${kind}: a handler over budget gets success now and its reply handed to onLateReply, once`, async (t) => {
    const release = deferred();
    const late = deferred<{ msg: InboundMessage; reply: Reply }>();
    let lateCalls = 0;
    const h = await harness(kind, {
      budgetMs: 50,
      onLateReply: (msg, reply) => {
        lateCalls += 1;
        late.resolve({ msg, reply });
      },
      handler: async (m) => {
        await release.promise;
        return { type: 'text', content: `查询结果：${m.content}` };
      },
    });
    const s = h.sender('safe');
    const u = openid();
    const fields = s.text(u, '拦截记录');
    const first = await s.send(fields);
    t.is(first.status, 200);
    t.is(first.raw, 'success');
    release.resolve();
    const { msg, reply } = await late.promise;
    t.is(msg.fromUserName, u);
    t.deepEqual(reply, { type: 'text', content: '查询结果：拦截记录' });
    await h.callback.drain();
    // A retry now must not deliver the same text a second time as a passive reply.
    t.is((await s.send(fields)).raw, 'success');
    t.is(h.dispatched.length, 1);
    t.is(lateCalls, 1);
    await h.close();
  });

  test(`${kind}: a handler that throws is answered success, logged without phone numbers, and not re-run`, async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const h = await harness(kind, {
      log: createLogger('info', sink),
      handler: async (m) => {
        throw new Error(`cannot bind ${m.content}`);
      },
    });
    const s = h.sender('plain');
    const fields = s.text(openid(), '13800138000');
    const res = await s.send(fields);
    t.is(res.status, 200);
    t.is(res.raw, 'success');
    t.is((await s.send(fields)).raw, 'success');
    t.is(h.dispatched.length, 1);
    t.true(lines.some((l) => l.includes('wechat handler failed')));
    t.false(lines.join('').includes('13800138000'));
    await h.close();
  });

  test(`${kind}: TEMPLATESENDJOBFINISH arrives with its 64-bit MsgID and status exact`, async (t) => {
    const h = await harness(kind);
    const s = h.sender('safe');
    const id = '3487542469355618313';
    const res = await s.send(s.templateSendJobFinish(openid(), id, 'failed: system failed'));
    t.is(res.raw, 'success');
    t.like(h.dispatched[0], { msgType: 'event', event: 'templatesendjobfinish', templateMsgId: id, status: 'failed: system failed' });
    await h.close();
  });

  test(`${kind}: view, unsubscribe and scan events reach the handler with their keys`, async (t) => {
    const h = await harness(kind);
    const s = h.sender('plain');
    const u = openid();
    for (const f of [s.view(u, 'https://example.test/h5/settings?x=1&y=2'), s.unsubscribe(u), s.scan(u, '7')]) t.is((await s.send(f)).raw, 'success');
    t.deepEqual(
      h.dispatched.map((m) => [m.event, m.eventKey, m.ticket]),
      [
        ['view', 'https://example.test/h5/settings?x=1&y=2', undefined],
        ['unsubscribe', undefined, undefined],
        ['scan', '7', 'gQ_ticket_7'],
      ],
    );
    await h.close();
  });
}
