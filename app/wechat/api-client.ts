// The WeChat API client: wechat-api underneath (its URL building and HTTP), our token store and retry
// policy on top. Every call:
//   token from the shared store → call → on 40001/42001/40014: compare-and-expire that token, fetch once,
//   retry once → on -1 (busy): back off, retry once → otherwise a WechatApiError.
// At most three attempts, never a loop. Timeouts are never retried here: the caller decides, because a
// template send that timed out may have reached the user.
import API from 'wechat-api';
import client from 'prom-client';
import type { Logger } from '../log';
import { registry } from '../metrics';
import type { Store } from '../store';
import { SYSTEM_BUSY, TOKEN_REJECTED, WechatApiError, WechatTimeoutError, WechatTransportError } from './api-errors';
import { createTextRequester, gatewayUncertain, parseWechatJson, transportError } from './api-http';
import { stableTokenFetcher, TokenStore, type TextRequester } from './token-store';

export interface WechatMenuButton {
  type?: 'click' | 'view';
  name: string;
  key?: string;
  url?: string;
  sub_button?: WechatMenuButton[];
}

export interface WechatMenu {
  button: WechatMenuButton[];
}

export interface TemplateMessage {
  openid: string;
  templateId: string;
  /** Opened when the user taps the message. */
  url?: string;
  /** Keyword values; plain strings are wrapped as WeChat's `{ value }`. */
  data: Record<string, string | { value: string }>;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  body?: unknown;
}

export interface WechatClientOptions {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com, or the simulator's base (a path is fine: http://host:port/simulator/wechat). */
  apiBase: string;
  store: Store;
  log?: Logger;
  /** Connect and response timeout per HTTP exchange. wechat-api's default is 5 s; WeChat answers in well under 1 s. */
  timeoutMs?: number;
  /** Wait before the one retry after -1 (system busy). */
  busyBackoffMs?: number;
  /** Token lock tuning (tests); see TokenStoreOptions. */
  tokenLock?: { lockTtlMs?: number; waitMs?: number; pollMs?: number };
}

type WechatJson = Record<string, unknown> & { errcode?: number; errmsg?: string };
/** One attempt with the given token: WeChat's parsed answer, or a thrown transport error. */
type Attempt = (token: string) => Promise<WechatJson>;

const apiCalls = new client.Counter({
  name: 'fsr_wechat_api_calls_total',
  help: 'Calls to the WeChat API by path and outcome (ok, an errcode, timeout, transport)',
  labelNames: ['path', 'outcome'] as const,
  registers: [registry],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WechatClient {
  readonly tokens: TokenStore;
  private readonly api: API;
  private readonly http: TextRequester;
  private readonly timeoutMs: number;
  private readonly busyBackoffMs: number;
  private readonly base: string;

  constructor(private readonly opts: WechatClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3_000;
    this.busyBackoffMs = opts.busyBackoffMs ?? 300;
    this.base = opts.apiBase.replace(/\/+$/, '');
    // wechat-api only consults these hooks from its public methods, which we do not call; they still route
    // any such use through the shared, locked token instead of its unlocked /cgi-bin/token fetch.
    this.api = new API(
      opts.appId,
      opts.appSecret,
      (cb) => {
        this.tokens.getToken().then(
          (accessToken) => cb(null, { accessToken, expireTime: Date.now() + 60_000 }),
          (err: Error) => cb(err),
        );
      },
      (_token, cb) => cb(null),
    );
    this.api.endpoint = this.base; // not setEndpoint(): it forces https and drops any path
    this.api.setOpts({ timeout: this.timeoutMs });
    this.http = createTextRequester(this.api, this.timeoutMs);
    this.tokens = new TokenStore({
      store: opts.store,
      appId: opts.appId,
      log: opts.log,
      ...opts.tokenLock,
      fetch: stableTokenFetcher({
        http: this.http,
        apiBase: this.base,
        appId: opts.appId,
        appSecret: opts.appSecret,
        busyBackoffMs: this.busyBackoffMs,
        log: opts.log,
      }),
    });
  }

  async createMenu(menu: WechatMenu): Promise<void> {
    await this.invoke(
      '/cgi-bin/menu/create',
      this.viaSdk('/cgi-bin/menu/create', (api, cb) => api._createMenu(menu, cb)),
    );
  }

  /** The published menu, or null when there is none (46003). */
  async getMenu(): Promise<WechatMenu | null> {
    try {
      const r = await this.invoke(
        '/cgi-bin/menu/get',
        this.viaSdk('/cgi-bin/menu/get', (api, cb) => api._getMenu(cb)),
      );
      return (r.menu as WechatMenu | undefined) ?? null;
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === 46003) return null;
      throw err;
    }
  }

  /**
   * Sends a template message. The msgid comes back exactly as WeChat wrote it (a string), to match the
   * TEMPLATESENDJOBFINISH event later. A WechatTimeoutError means the outcome is unknown.
   */
  async sendTemplate(m: TemplateMessage): Promise<{ msgid: string }> {
    const data: Record<string, { value: string }> = {};
    for (const [k, v] of Object.entries(m.data)) data[k] = typeof v === 'string' ? { value: v } : v;
    const body: Record<string, unknown> = { touser: m.openid, template_id: m.templateId, data };
    if (m.url) body.url = m.url;
    const path = '/cgi-bin/message/template/send';
    const r = await this.invoke(path, this.viaHttp(path, 'POST', {}, body));
    if (typeof r.msgid !== 'string' && typeof r.msgid !== 'number') throw new WechatTransportError(path, 'answer has no msgid', true);
    return { msgid: String(r.msgid) };
  }

  /** A customer-service text message (allowed within 48 h of the user's last interaction; 45015 after). */
  async sendCustomText(openid: string, text: string): Promise<void> {
    await this.invoke(
      '/cgi-bin/message/custom/send',
      this.viaSdk('/cgi-bin/message/custom/send', (api, cb) => api._sendText(openid, text, cb)),
    );
  }

  /**
   * Any other API path (e.g. /cgi-bin/user/info) with the same token handling and bounded retries.
   * Integers beyond 2^53 in the answer come back as strings.
   */
  async call<T = WechatJson>(path: string, o: CallOptions = {}): Promise<T> {
    const method = o.method ?? (o.body === undefined ? 'GET' : 'POST');
    return (await this.invoke(path, this.viaHttp(path, method, o.query ?? {}, o.body))) as T;
  }

  private async invoke(path: string, attempt: Attempt): Promise<WechatJson> {
    const log = this.opts.log;
    let token = await this.tokens.getToken();
    let tokenRetried = false;
    let busyRetried = false;
    for (let attemptNo = 1; attemptNo <= 3; attemptNo++) {
      let r: WechatJson;
      try {
        r = await attempt(token);
      } catch (err) {
        apiCalls.inc({ path, outcome: err instanceof WechatTimeoutError ? 'timeout' : 'transport' });
        log?.warn({ path, err }, 'wechat api call failed in transport');
        throw err;
      }
      const errcode = Number(r.errcode ?? 0);
      if (!errcode) {
        apiCalls.inc({ path, outcome: 'ok' });
        return r;
      }
      apiCalls.inc({ path, outcome: String(errcode) });
      if (TOKEN_REJECTED.has(errcode) && !tokenRetried) {
        tokenRetried = true;
        log?.info({ path, errcode }, 'wechat rejected the access token; refreshing once');
        await this.tokens.invalidate(token);
        token = await this.tokens.getToken();
        continue;
      }
      if (errcode === SYSTEM_BUSY && !busyRetried) {
        busyRetried = true;
        await sleep(this.busyBackoffMs);
        continue;
      }
      log?.warn({ path, errcode, errmsg: r.errmsg }, 'wechat api error');
      throw new WechatApiError(errcode, String(r.errmsg ?? ''), path);
    }
    throw new Error('unreachable: each retry is taken at most once');
  }

  /** One of wechat-api's unwrapped methods, on a per-call view of the SDK holding this call's token. */
  private viaSdk(path: string, run: (api: API, cb: API.Callback<unknown>) => void): Attempt {
    return (token) =>
      new Promise((resolve, reject) => {
        // Object.create keeps endpoint/request/options from the shared instance; the token stays per call.
        const view = Object.create(this.api) as API;
        view.token = { accessToken: token };
        run(view, (err, data, res) => {
          const isAnswer = data !== null && typeof data === 'object';
          if (err && !(err.name === 'WeChatAPIError' && isAnswer)) return reject(transportError(path, err, this.timeoutMs, res?.status));
          if (!isAnswer) return reject(new WechatTransportError(path, 'empty answer', true, res?.status));
          if (res && res.status !== 200) return reject(new WechatTransportError(path, `HTTP ${res.status}`, gatewayUncertain(res.status), res.status));
          resolve(data as WechatJson);
        });
      });
  }

  /** A raw exchange with lossless JSON parsing. */
  private viaHttp(path: string, method: 'GET' | 'POST', query: Record<string, string>, body?: unknown): Attempt {
    return async (token) => {
      const q = new URLSearchParams({ ...query, access_token: token });
      const { status, text } = await this.http(path, `${this.base}${path}?${q}`, { method, body });
      if (status !== 200) throw new WechatTransportError(path, `HTTP ${status}`, gatewayUncertain(status), status);
      let parsed: unknown;
      try {
        parsed = parseWechatJson(text);
      } catch {
        throw new WechatTransportError(path, 'answer is not JSON', true, status);
      }
      if (!parsed || typeof parsed !== 'object') throw new WechatTransportError(path, 'answer is not a JSON object', true, status);
      return parsed as WechatJson;
    };
  }
}
