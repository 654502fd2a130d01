// The simulator page's backend (embedded mode only): plays WeChat's client and servers for several test
// users, the subscriber's phone (its SMS inbox) and the carrier network (place a call). Everything it does
// goes through the real server paths over HTTP: the signed, encrypted callback, the carrier API, the
// outbox and the template messages that come back through the simulated WeChat API.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type Koa from 'koa';
import { entities } from '../../entities';
import type { Deps } from '../deps';
import { readRawBody } from '../http/raw-body';
import { ConsoleSmsProvider } from '../sms';
import type { BindingService } from '../binding/binding-service';
import type { SubscriberService } from '../binding/subscriber-service';
import type { SimDevice } from './number-auth-routes';
import { SimWechatServer } from './wechat-client-sim';
import type { SentMessage, WechatSimState } from './wechat-sim-state';

type Entry = { at: string; kind: 'me' | 'them' | 'sys' | 'card'; text?: string; card?: { title: string; fields: { label: string; value: string }[]; url?: string } };

const STATIC_DIR = [path.join(__dirname, 'static'), path.join(__dirname, '../../../app/simulator/static')].find((d) => fs.existsSync(path.join(d, 'index.html')))!;
const STATIC = new Map(['index.html', 'sim.js', 'sim.css'].map((f) => [f, fs.readFileSync(path.join(STATIC_DIR, f))]));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

// The keyword names the account's templates were created with in the WeChat console (see copy/).
const TEMPLATE_LABELS: Record<'enabled' | 'intercept' | 'family', Record<string, string>> = {
  family: { thing1: '提醒内容', character_string2: '家人号码', character_string3: '来电号码', thing4: '来电说明', time5: '来电时间' },
  enabled: { thing1: '服务名称', character_string2: '手机号码', time3: '开通时间', phrase4: '服务状态' },
  intercept: { character_string1: '来电号码', thing2: '拦截说明', time3: '拦截时间', character_string4: '被叫号码' },
};

export interface SimulatorServices {
  state: WechatSimState;
  subscribers: SubscriberService;
  bindings: BindingService;
}

const NAMES = ['小明', '小红', '老王', '阿强', '小李', '小张'];

export function simulatorRouter(
  deps: Deps,
  s: SimulatorServices,
  opts: { baseUrl: string; simApiPath: string },
): { router: Router; authorizeCookie: Koa.Middleware; deviceOf: (ctx: Koa.Context) => SimDevice | null } {
  const { config } = deps;
  // Each simulated person owns a phone: its SMS inbox is what the page shows, bound or not.
  // mobileData: whether the phone is on its carrier's data network (本机号码一键登录 works) or on Wi-Fi.
  const users: { openid: string; name: string; phone: string; mobileData: boolean }[] = [];
  const timelines = new Map<string, Entry[]>();
  const netlog: { at: string; text: string }[] = [];
  const wechatServer = new SimWechatServer({ url: `${opts.baseUrl}/wechat`, token: config.wechat.token, appId: config.wechat.appId, encodingAesKey: config.wechat.encodingAesKey, accountId: 'gh_fangsaorao_sim' });
  const [carrierKeyId, carrierSecret] = [...config.carrierKeys.entries()][0];

  const now = () => new Date().toISOString();
  const addUser = () => {
    const n = users.length;
    const u = {
      openid: `oSim${crypto.randomBytes(9).toString('base64url')}`,
      name: NAMES[n % NAMES.length] + (n >= NAMES.length ? n + 1 : ''),
      phone: `13${8 - (n % 6)}0013${String(8000 + n).padStart(4, '0')}`,
      mobileData: true,
    };
    users.push(u);
    return u;
  };
  const line = (openid: string, e: Omit<Entry, 'at'>) => {
    const list = timelines.get(openid) ?? [];
    list.push({ at: now(), ...e });
    if (list.length > 300) list.splice(0, list.length - 300);
    timelines.set(openid, list);
  };
  const log = (text: string) => {
    netlog.push({ at: now(), text });
    if (netlog.length > 200) netlog.shift();
  };
  addUser();
  addUser();

  // What the simulated WeChat API delivered shows up in the user's chat, as WeChat would show it.
  s.state.on('message', (m: SentMessage) => {
    if (m.kind === 'custom') {
      line(m.touser, { kind: 'them', text: m.text });
      return;
    }
    const kind = m.templateId === config.wechat.templateEnabled ? 'enabled' : m.templateId === config.wechat.templateIntercept ? 'intercept' : m.templateId === config.wechat.templateFamily ? 'family' : null;
    const title = kind === 'enabled' ? '服务开通提醒' : kind === 'intercept' ? '拦截通知提醒' : kind === 'family' ? '家人守护提醒' : '模板消息';
    const fields = Object.entries(m.data).map(([k, v]) => ({ label: (kind && TEMPLATE_LABELS[kind][k]) ?? k, value: v.value }));
    line(m.touser, { kind: 'card', card: { title, fields, url: m.url } });
    log(`WeChat ← template ${m.templateId} to ${m.touser} (msgid ${m.msgid})`);
    // WeChat reports the delivery back through the callback, a moment later.
    setTimeout(() => {
      wechatServer
        .deliver({ FromUserName: m.touser, MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: m.msgid, Status: 'success' })
        .catch((err) => deps.log.warn({ err }, 'simulated delivery receipt failed'));
    }, 200);
  });

  async function say(openid: string, fields: Record<string, string | number>) {
    s.state.interact(openid);
    const reply = await wechatServer.deliver({ FromUserName: openid, ...fields });
    log(`WeChat → POST /wechat ${fields.MsgType === 'event' ? `event ${fields.Event}${fields.EventKey ? ' ' + fields.EventKey : ''}` : 'text'} (${wechatServer.mode} mode)`);
    if (reply && reply.MsgType === 'text') line(openid, { kind: 'them', text: String(reply.Content) });
    return reply;
  }

  async function carrier(p: string, body: unknown) {
    const raw = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = crypto.randomBytes(12).toString('hex');
    const bodyHash = crypto.createHash('sha256').update(raw).digest('hex');
    const sig = crypto.createHmac('sha256', carrierSecret).update(`POST\n${p}\n${ts}\n${nonce}\n${bodyHash}`).digest('hex');
    const res = await fetch(`${opts.baseUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-key-id': carrierKeyId, 'x-timestamp': ts, 'x-nonce': nonce, 'x-signature': sig }, body: raw });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw Object.assign(new Error(String(json.message ?? res.status)), { status: 400, expose: true });
    return json;
  }

  async function phoneOf(openid: string): Promise<string | null> {
    const sub = await s.subscribers.findByOpenid(openid);
    const b = sub && (await s.bindings.forSubscriber(sub.id));
    return b ? s.bindings.phoneOf(b) : null;
  }

  async function body(ctx: Koa.Context): Promise<Record<string, string>> {
    const raw = await readRawBody(ctx.req, 16 * 1024);
    try {
      const v = JSON.parse(raw.toString('utf8') || '{}');
      return v && typeof v === 'object' ? v : {};
    } catch {
      ctx.throw(400, 'body is not JSON');
    }
  }

  const knownUser = (openid: string | undefined) => {
    const u = users.find((x) => x.openid === openid);
    if (!u) throw Object.assign(new Error('unknown simulated user'), { status: 404, expose: true });
    return u;
  };

  const router = new Router({ prefix: '/simulator' });
  router.get('/', (ctx) => {
    ctx.type = TYPES['.html'];
    ctx.body = STATIC.get('index.html');
  });
  router.get('/static/:file', (ctx) => {
    const f = STATIC.get(ctx.params.file);
    if (!f) return;
    ctx.type = TYPES[path.extname(ctx.params.file)];
    ctx.body = f;
  });
  router.get('/api/state', async (ctx) => {
    const openid = String(ctx.query.openid ?? '') || users[0].openid;
    const user = users.find((u) => u.openid === openid);
    const bound = user ? await phoneOf(openid) : null;
    ctx.body = {
      users: users.map((u) => ({ ...u, following: s.state.isFollowing(u.openid) })),
      timeline: timelines.get(openid) ?? [],
      menu: s.state.menu,
      phone: user?.phone ?? null,
      boundPhone: bound,
      sms: user ? ConsoleSmsProvider.inbox(user.phone).map((m) => ({ at: new Date(m.at).toISOString(), text: m.text })) : [],
      netlog,
    };
  });
  // Picking another simulated person is picking another phone: its pages must not stay signed in as the last one.
  router.post('/api/select', async (ctx) => {
    const u = knownUser((await body(ctx)).openid);
    ctx.cookies.set('fsr_h5', '', { httpOnly: true, sameSite: 'lax', path: '/h5', maxAge: 0, expires: new Date(0), overwrite: true });
    ctx.cookies.set('fsr_sim_openid', u.openid, { httpOnly: false, sameSite: 'lax', path: '/', overwrite: true });
    ctx.body = { ok: true };
  });
  router.post('/api/mobile-data', async (ctx) => {
    const b = await body(ctx);
    const u = knownUser(b.openid);
    u.mobileData = Boolean(b.on);
    log(`phone ${u.name}: ${u.mobileData ? '移动数据' : 'Wi-Fi'}`);
    ctx.body = { ok: true, mobileData: u.mobileData };
  });
  router.post('/api/users', (ctx) => {
    ctx.body = addUser();
  });
  router.post('/api/follow', async (ctx) => {
    const u = knownUser((await body(ctx)).openid);
    s.state.follow(u.openid);
    line(u.openid, { kind: 'sys', text: '你关注了“防骚扰服务”' });
    await say(u.openid, { MsgType: 'event', Event: 'subscribe', EventKey: '' });
    ctx.body = { ok: true };
  });
  router.post('/api/unfollow', async (ctx) => {
    const u = knownUser((await body(ctx)).openid);
    s.state.unfollow(u.openid);
    await say(u.openid, { MsgType: 'event', Event: 'unsubscribe', EventKey: '' });
    ctx.body = { ok: true };
  });
  router.post('/api/text', async (ctx) => {
    const b = await body(ctx);
    const u = knownUser(b.openid);
    const text = String(b.text ?? '').slice(0, 600);
    if (!text) ctx.throw(400, 'text is empty');
    line(u.openid, { kind: 'me', text });
    await say(u.openid, { MsgType: 'text', Content: text, MsgId: wechatServer.nextMsgId() });
    ctx.body = { ok: true };
  });
  router.post('/api/click', async (ctx) => {
    const b = await body(ctx);
    const u = knownUser(b.openid);
    await say(u.openid, { MsgType: 'event', Event: 'CLICK', EventKey: String(b.key ?? '') });
    ctx.body = { ok: true };
  });
  router.post('/api/view', async (ctx) => {
    const b = await body(ctx);
    const u = knownUser(b.openid);
    await say(u.openid, { MsgType: 'event', Event: 'VIEW', EventKey: String(b.url ?? '') });
    ctx.body = { ok: true };
  });
  router.post('/api/call', async (ctx) => {
    const b = await body(ctx);
    const u = knownUser(b.openid);
    const callee = String(b.callee || (await phoneOf(u.openid)) || u.phone);
    if (!callee) ctx.throw(400, '请先为当前用户绑定手机号');
    const call: Record<string, string> = { caller: String(b.caller ?? ''), callee, at: now() };
    if (b.industry) call.callerIndustry = String(b.industry);
    if (b.attestation) call.attestation = String(b.attestation);
    const decision = await carrier('/carrier/v1/screen', call);
    log(`network → POST /carrier/v1/screen → ${decision.action} (${decision.reason})`);
    let intercepted = false;
    if (decision.action !== 'allow') {
      const event = { id: `sim-${crypto.randomUUID()}`, caller: call.caller, callee, at: call.at, action: decision.action, reason: decision.reason, ...(decision.category ? { category: decision.category } : {}) };
      const r = await carrier('/carrier/v1/interceptions', { events: [event] });
      log(`network → POST /carrier/v1/interceptions → accepted ${r.accepted}`);
      intercepted = true;
    }
    ctx.body = { decision, intercepted };
  });
  router.post('/api/reset', async (ctx) => {
    for (const e of entities) await deps.db.getRepository(e).clear();
    users.splice(0, users.length);
    timelines.clear();
    netlog.splice(0, netlog.length);
    s.state.followers.clear();
    s.state.messages.splice(0, s.state.messages.length);
    addUser();
    addUser();
    ctx.body = { ok: true };
  });

  // Inside the simulator, WeChat knows who is looking at a page: the selected user (cookie set by the page).
  const authorizePath = `${opts.simApiPath}/connect/oauth2/authorize`;
  const authorizeCookie: Koa.Middleware = async (ctx, next) => {
    if (ctx.path === authorizePath && !ctx.query.openid) {
      const openid = ctx.cookies.get('fsr_sim_openid');
      if (openid && users.some((u) => u.openid === openid)) ctx.querystring = `${ctx.querystring}&openid=${encodeURIComponent(openid)}`;
    }
    await next();
  };
  // The simulated carrier knows the device by the phone the simulator page has selected.
  const deviceOf = (ctx: Koa.Context): SimDevice | null => {
    const u = users.find((x) => x.openid === ctx.cookies.get('fsr_sim_openid'));
    return u ? { phone: u.phone, mobileData: u.mobileData } : null;
  };
  return { router, authorizeCookie, deviceOf };
}
