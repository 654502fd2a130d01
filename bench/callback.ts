// The WeChat callback under loopback load: a 拦截设置 CLICK in safe mode, signed and
// AES-encrypted per request, against the whole server on MariaDB + Redis, beside a bare Koa handler that
// reads the body and answers `success`, in the same run and with the same requests. Aim: ≥ 40% of the bare
// handler's throughput, p99 < 50 ms at 500 requests/s.
//
// Each server runs in its own process; the load (autocannon, with the signing and encryption WeChat would do)
// comes from this one. Every request carries a distinct FromUserName+CreateTime, so WeChat's retry
// de-duplication never short-circuits a request: each one is verified, decrypted, parsed, claimed in Redis,
// answered from the database, rendered, encrypted and recorded.
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { In } from 'typeorm';
import { openDatabase } from '../app/db/datasource';
import { extractEncrypt } from '../app/wechat/encrypt-field';
import { parseXml } from '../app/wechat/xml';
import { maskPhone } from '../app/privacy/mask';
import { PhoneVault } from '../app/privacy/phone-vault';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions } from '../app/protection/preferences';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { CHAT } from '../copy/chat';
import { KEYS } from '../menus/tree';
import { createDatabaseUrl, TEST_REDIS_URL, testRedisPrefix } from '../test/support/backends';
import { startJsonSmsGateway } from '../test/support/fake-sms-gateways';
import { FAKE_APP, startFakeWechatApi } from '../test/support/fake-wechat-api';
import { WechatSender } from '../test/support/wechat-sender';
import type { ServerMessage } from './callback-server-process';
import type { IoWaits } from './io-waits';
import { summariseCpuProfile, type CpuProfileSummary } from './cpu-profile';
import { toLoadResult, type LoadResult } from './load';
import { dropRedisPrefix } from './redis-prefix';

export interface CallbackBenchOptions {
  durationSec?: number;
  /** Connections for the as-fast-as-possible phases. */
  connections?: number;
  /** Pre-followed subscribers the clicks come from; half of them have a bound phone with protection on. */
  subscribers?: number;
  /** The fixed offered load for the latency figure. */
  rate?: number;
  /** Clicks signed and encrypted for the project before the load (more are built live if they run out). */
  prebuilt?: number;
  /** After the measured phases: time the project's waits on MariaDB and Redis at the fixed rate, and profile its CPU over one more max-throughput phase (default on). */
  diagnose?: boolean;
  /** Seconds of each refused-junk phase (default 3; 0 leaves them out). */
  refusedSec?: number;
}

/**
 * Unauthenticated junk: what an attacker sends. Server CPU per refused request, a 64 KB body of nested XML
 * beside a tiny one (both `encrypt_type=aes&msg_signature=x`, both 401), and beside the bare handler reading
 * the same 64 KB. `beforeFix` is what the previous code did first with such a body — parse the whole
 * outer XML before checking msg_signature — timed in this process on the same body, against what the
 * callback does now (a bounded scan for Encrypt).
 */
export interface RefusedJunk {
  bodyBytes: { junk: number; tiny: number };
  junk: CallbackLoad;
  tiny: CallbackLoad;
  bareJunk: CallbackLoad;
  /** Server CPU per refused 64 KB request ÷ per refused tiny one. */
  junkOverTiny: number;
  beforeFix: { parseUsPerBody: number; scanUsPerBody: number; ratio: number };
}

export interface CallbackLoad extends LoadResult {
  /** What the bodies were: an encrypted passive reply, `success`, anything else. */
  replies: { encrypted: number; success: number; other: number };
  /** CPU the server process used over the phase (100 = one core busy) and how long ready work waited for its loop. */
  server: { cpuPercent: number; cpuUsPerRequest: number; loopDelayP99Ms: number };
  /** CPU this process (the load generator, signing and encrypting) used meanwhile. */
  generatorCpuPercent: number;
}

export interface CallbackBenchResult {
  name: 'callback';
  request: string;
  durationSec: number;
  connections: number;
  subscribers: { followed: number; bound: number };
  /** Requests to the project built before the load, and built during it because the pool ran out. */
  generator: { prebuilt: number; builtLive: number };
  max: { project: CallbackLoad; bare: CallbackLoad; throughputRatio: number };
  fixedRate: { rate: number; connections: number; project: CallbackLoad; bare: CallbackLoad };
  aims: { throughputRatio: number; p99MsAtRate: number; throughputMet: boolean; p99Met: boolean };
  /** Replies seen before and after the load, checked against the texts a subscriber would read. */
  checks: { boundReply: string; unboundReply: string };
  /**
   * One more phase at the fixed rate with the server timing its MariaDB queries and Redis commands (issued →
   * answer handled): where a request's latency goes when it is not CPU. Not in the figures above.
   */
  refused?: RefusedJunk;
  waitsAtRate?: { requests: number; p50Ms: number; p99Ms: number; perRequest: { mysqlQueries: number; redisCommands: number } } & IoWaits;
  profile?: CpuProfileSummary & { file: string };
}

const AIM = { throughputRatio: 0.4, p99MsAtRate: 50 };
const TOKEN = 'benchcallbacktoken';
// 43 characters of [A-Za-z0-9], as the WeChat console generates.
const AES_KEY = crypto.randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(43, 'a').slice(0, 43);

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(mode: 'project' | 'bare', env: Record<string, string>): Promise<Server> {
  const child = fork(path.join(__dirname, 'callback-server-process.js'), [], {
    env: { ...process.env, ...env, BENCH_MODE: mode },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (m: ServerMessage) => {
      if ('port' in m) {
        child.off('message', onMessage);
        resolve(m.port);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** A message of one kind from the server process, after sending it `cmd`. */
async function ask<K extends 'usage' | 'profileFile' | 'waits'>(child: ChildProcess, cmd: string, kind: K): Promise<Extract<ServerMessage, Record<K, unknown>>[K]> {
  const reply = new Promise<Extract<ServerMessage, Record<K, unknown>>[K]>((resolve) => {
    const onMessage = (m: ServerMessage) => {
      if (kind in m) {
        child.off('message', onMessage);
        resolve((m as Extract<ServerMessage, Record<K, unknown>>)[kind]);
      }
    };
    child.on('message', onMessage);
  });
  child.send({ cmd });
  return reply;
}

const usage = (child: ChildProcess) => ask(child, 'usage', 'usage');

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * The clicks: subscriber i % n at CreateTime start + ⌊i / n⌋, so no two requests of the run share the
 * FromUserName+CreateTime that WeChat's retries are recognised by.
 */
function clickStream(sender: WechatSender, openids: string[]) {
  const start = WechatSender.now();
  let i = 0;
  return (): Click => {
    const n = i++;
    const fields = sender.event(openids[n % openids.length], 'CLICK', KEYS.settings, {}, start + Math.floor(n / openids.length));
    const { query, body } = sender.envelope(fields);
    return { path: `/wechat?${query}`, body: body as string };
  };
}

type Click = { path: string; body: string };

/**
 * Signed, encrypted clicks built before the load, so that the generator's one core goes to sending them: built
 * per request, the generator saturated before the bare handler did. `cycle` repeats them (for the baseline,
 * which reads no field); otherwise each is sent once and, should the pool run dry, more are built live.
 */
function prebuilt(stream: () => Click, size: number, o: { cycle: boolean }) {
  const pool = Array.from({ length: size }, stream);
  let i = 0;
  const counts = { prebuilt: size, builtLive: 0 };
  const next = (): Click => {
    if (i < pool.length) return pool[i++];
    if (o.cycle) return pool[i++ % pool.length];
    counts.builtLive++;
    return stream();
  };
  return { next, counts };
}

async function load(server: Server, next: () => Click, o: { connections: number; durationSec: number; rate?: number }): Promise<CallbackLoad> {
  if (!/^http:\/\/127\./.test(server.url)) throw new Error('benchmarks only target loopback');
  const replies = { encrypted: 0, success: 0, other: 0 };
  server.child.send({ cmd: 'reset' });
  const cpuFrom = process.cpuUsage();
  const wallFrom = process.hrtime.bigint();
  const result = await autocannon({
    url: `${server.url}/wechat`,
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    connections: o.connections,
    duration: o.durationSec,
    overallRate: o.rate,
    requests: [
      {
        setupRequest: (req: autocannon.Request) => ({ ...req, ...next() }),
        onResponse: (status: number, body: string) => {
          if (status === 200 && body.includes('<Encrypt>')) replies.encrypted++;
          else if (status === 200 && body === 'success') replies.success++;
          else replies.other++;
        },
      },
    ],
  } as autocannon.Options);
  const cpu = process.cpuUsage(cpuFrom);
  const wallUs = Number(process.hrtime.bigint() - wallFrom) / 1e3;
  const u = await usage(server.child);
  return {
    ...toLoadResult(result),
    replies,
    server: { cpuPercent: round(u.cpuPercent, 1), cpuUsPerRequest: Math.round((u.cpuPercent / 100) * (1e6 / result.requests.average)), loopDelayP99Ms: round(u.loopDelayP99Ms) },
    generatorCpuPercent: round((100 * (cpu.user + cpu.system)) / wallUs, 1),
  };
}

/** Follows every openid through the callback itself, as WeChat would deliver the subscribe events. */
async function follow(sender: WechatSender, openids: string[]): Promise<void> {
  const queue = [...openids];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let openid = queue.shift(); openid; openid = queue.shift()) {
        const r = await sender.send(sender.subscribe(openid));
        if (r.status !== 200 || !r.encrypted) throw new Error(`subscribe answered ${r.status} ${r.raw.slice(0, 80)}`);
      }
    }),
  );
}

/** Binds a phone and turns protection on for `openids` directly in the database (the SMS-code journey is not what is measured). */
async function bindPhones(dbUrl: string, dataKey: Buffer, openids: string[]): Promise<Map<string, string>> {
  const ds = await openDatabase(dbUrl, { migrate: false });
  const vault = new PhoneVault(dataKey);
  const phones = new Map<string, string>();
  try {
    const subs = await ds.getRepository(Subscriber).find({ select: { id: true, openid: true }, where: { openid: In(openids) } });
    const now = new Date();
    const bindings = subs.map((s, k) => {
      const phone = `139${String(10_000_000 + k).slice(-8)}`;
      phones.set(s.openid!, phone);
      return { subscriberId: s.id, phoneHash: vault.lookupHash(phone), phoneCipher: vault.encrypt(phone), source: 'wechat', verifiedAt: now };
    });
    await ds.createQueryBuilder().insert().into(PhoneBinding).values(bindings).execute();
    await ds.getRepository(ProtectionSettings).save(
      subs.map((s): ProtectionSettings => ({ subscriberId: s.id, enabled: true, paused: false, enabledAt: now, categoryModes: defaultCategoryModes(), behaviour: { ...defaultBehaviour() }, notices: { ...defaultNotices() }, options: { ...defaultOptions() }, version: 1, updatedAt: now })),
    );
  } finally {
    await ds.destroy();
  }
  return phones;
}

/** The reply a subscriber would read, checked exactly: a figure counts only if the server answered right. */
async function check(sender: WechatSender, openid: string, expected: string): Promise<string> {
  const r = await sender.send(sender.click(openid, KEYS.settings));
  const content = r.reply?.Content;
  if (r.status !== 200 || !r.encrypted || content !== expected) throw new Error(`拦截设置 for ${openid} answered ${r.status} ${JSON.stringify(content ?? r.raw.slice(0, 80))}, expected ${JSON.stringify(expected)}`);
  return content;
}

const openid = () => `o${crypto.randomBytes(21).toString('base64url')}`;

/** 64 KB of deeply nested elements (the junk), and a tiny body with an Encrypt field. */
export function junkBodies(): { junk: string; tiny: string } {
  const depth = 4000;
  const nested = '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth);
  const junk = `<xml>${nested}${'<b>y</b>'.repeat(Math.floor((64 * 1024 - 20 - nested.length) / 8))}</xml>`.slice(0, 64 * 1024);
  return { junk, tiny: '<xml><Encrypt><![CDATA[QUJDRA==]]></Encrypt></xml>' };
}

/** µs per call of `f` over about `ms` of wall time, after a warm-up. */
function timePerCall(f: () => unknown, ms = 1000): number {
  for (let i = 0; i < 20; i++) f();
  const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  const from = process.cpuUsage();
  let n = 0;
  while (process.hrtime.bigint() < until) {
    f();
    n++;
  }
  const cpu = process.cpuUsage(from);
  return round((cpu.user + cpu.system) / n, 2);
}

function beforeFix(junk: string): RefusedJunk['beforeFix'] {
  const raw = Buffer.from(junk);
  const parseUsPerBody = timePerCall(() => {
    try {
      parseXml(raw);
    } catch {
      // refused as malformed or not WeChat's, as the old code did after parsing it all
    }
  });
  const scanUsPerBody = timePerCall(() => extractEncrypt(raw));
  return { parseUsPerBody, scanUsPerBody, ratio: round(parseUsPerBody / scanUsPerBody, 1) };
}

async function refusedPhases(project: Server, bare: Server, seconds: number, connections: number): Promise<RefusedJunk> {
  const { junk, tiny } = junkBodies();
  const path = () => `/wechat?${new URLSearchParams({ encrypt_type: 'aes', msg_signature: 'x', signature: 'x', timestamp: String(WechatSender.now()), nonce: String(crypto.randomInt(1e9)) })}`;
  const fixed = (body: string) => (): Click => ({ path: path(), body });
  const expectRefused = (l: CallbackLoad, what: string) => {
    // A refusal is a 401 'invalid signature': neither an encrypted reply nor success.
    if (l.replies.encrypted || l.replies.success) throw new Error(`${what}: junk was answered as a message`);
  };
  await load(project, fixed(junk), { connections, durationSec: 1 });
  const junkLoad = await load(project, fixed(junk), { connections, durationSec: seconds });
  const tinyLoad = await load(project, fixed(tiny), { connections, durationSec: seconds });
  const bareJunk = await load(bare, fixed(junk), { connections, durationSec: seconds });
  expectRefused(junkLoad, '64 KB');
  expectRefused(tinyLoad, 'tiny');
  return {
    bodyBytes: { junk: Buffer.byteLength(junk), tiny: Buffer.byteLength(tiny) },
    junk: junkLoad,
    tiny: tinyLoad,
    bareJunk,
    junkOverTiny: round(junkLoad.server.cpuUsPerRequest / tinyLoad.server.cpuUsPerRequest, 2),
    beforeFix: beforeFix(junk),
  };
}

export async function benchCallback(opts: CallbackBenchOptions = {}): Promise<CallbackBenchResult> {
  const durationSec = opts.durationSec ?? 10;
  const connections = opts.connections ?? 64;
  const rate = opts.rate ?? 500;
  const rateConnections = 16;
  const openids = Array.from({ length: opts.subscribers ?? 400 }, openid);
  const boundOpenids = openids.filter((_, i) => i % 2 === 0);

  const wechat = await startFakeWechatApi();
  const sms = await startJsonSmsGateway();
  const db = await createDatabaseUrl('mariadb');
  const prefix = testRedisPrefix();
  const dataKey = crypto.randomBytes(32);
  // Production settings (and the production log level), on loopback.
  const env = {
    NODE_ENV: 'production',
    ROLE: 'web',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    DATA_KEY: dataKey.toString('base64'),
    WECHAT_APPID: FAKE_APP.appId,
    WECHAT_APPSECRET: FAKE_APP.appSecret,
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    WECHAT_API_BASE: wechat.baseUrl,
    WECHAT_TEMPLATE_INTERCEPT: FAKE_APP.templateIntercept,
    WECHAT_TEMPLATE_ENABLED: FAKE_APP.templateEnabled,
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: sms.url,
  };
  const servers: Server[] = [];
  try {
    const project = await startServer('project', env);
    servers.push(project);
    const bare = await startServer('bare', {});
    servers.push(bare);
    const sender = (s: Server) => new WechatSender({ baseUrl: s.url, token: TOKEN, appId: FAKE_APP.appId, encodingAesKey: AES_KEY, mode: 'safe' });
    await follow(sender(project), openids);
    const phones = await bindPhones(db.url, dataKey, boundOpenids);
    const boundExpected = (o: string) => CHAT.status({ masked: maskPhone(phones.get(o)!), state: 'on' });
    const unboundExpected = CHAT.status({ masked: null, state: 'off' });
    const checks = { boundReply: await check(sender(project), boundOpenids[0], boundExpected(boundOpenids[0])), unboundReply: await check(sender(project), openids[1], unboundExpected) };

    const projectClicks = prebuilt(clickStream(sender(project), openids), opts.prebuilt ?? 60_000, { cycle: false });
    const bareClicks = prebuilt(clickStream(sender(bare), openids), 20_000, { cycle: true }).next;
    // Warm both (JIT, pools) before measuring.
    await load(project, projectClicks.next, { connections, durationSec: 3 });
    await load(bare, bareClicks, { connections, durationSec: 3 });
    const bareMax = await load(bare, bareClicks, { connections, durationSec });
    const projectMax = await load(project, projectClicks.next, { connections, durationSec });
    const bareFixed = await load(bare, bareClicks, { connections: rateConnections, durationSec, rate });
    const projectFixed = await load(project, projectClicks.next, { connections: rateConnections, durationSec, rate });
    // Still answering right after the load.
    await check(sender(project), boundOpenids[boundOpenids.length - 1], boundExpected(boundOpenids[boundOpenids.length - 1]));

    const throughputRatio = round(projectMax.requestsPerSec / bareMax.requestsPerSec, 3);
    const result: CallbackBenchResult = {
      name: 'callback',
      request: `safe-mode CLICK ${KEYS.settings} (拦截设置), signed and AES-encrypted per request`,
      durationSec,
      connections,
      subscribers: { followed: openids.length, bound: boundOpenids.length },
      generator: projectClicks.counts,
      max: { project: projectMax, bare: bareMax, throughputRatio },
      fixedRate: { rate, connections: rateConnections, project: projectFixed, bare: bareFixed },
      aims: { ...AIM, throughputMet: throughputRatio >= AIM.throughputRatio, p99Met: projectFixed.p99Ms < AIM.p99MsAtRate },
      checks,
    };
    if ((opts.refusedSec ?? 3) > 0) result.refused = await refusedPhases(project, bare, opts.refusedSec ?? 3, 16);
    if (opts.diagnose ?? true) {
      project.child.send({ cmd: 'waits-start' });
      const traced = await load(project, projectClicks.next, { connections: rateConnections, durationSec, rate });
      const waits = await ask(project.child, 'waits-stop', 'waits');
      const per = (n: number) => round(n / traced.total, 2);
      result.waitsAtRate = { requests: traced.total, p50Ms: traced.p50Ms, p99Ms: traced.p99Ms, perRequest: { mysqlQueries: per(waits.mysqlQuery.count), redisCommands: per(waits.redisCommand.count) }, ...waits };
      // After the measured phases, so that the profiler's own cost is in no figure.
      project.child.send({ cmd: 'profile-start' });
      await load(project, projectClicks.next, { connections, durationSec });
      const file = await ask(project.child, 'profile-stop', 'profileFile');
      result.profile = { file, ...summariseCpuProfile(JSON.parse(fs.readFileSync(file, 'utf8'))) };
    }
    return result;
  } finally {
    for (const s of servers) await stopServer(s.child);
    await wechat.close();
    await sms.close();
    await db.drop();
    await dropRedisPrefix(prefix);
  }
}

if (require.main === module) {
  benchCallback({ durationSec: Number(process.env.BENCH_SECONDS ?? 10), diagnose: process.env.BENCH_DIAGNOSE !== "0" })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
