// The H5 pages on real backends, behind the real Koa assembly, signing in against the simulated WeChat
// API (a real HTTP server speaking WeChat's OAuth2 paths and errcodes), plus a small cookie-keeping client.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createHttpApp } from '../../app/http/app';
import { createLogger } from '../../app/log';
import { h5Router } from '../../app/h5/router';
import { createWechatApiServer } from '../../app/simulator/wechat-api-server';
import { WechatOAuth } from '../../app/wechat/oauth';
import { testRedisPrefix, type DbKind } from './backends';
import { preferencesFixture } from './preferences-fixture';

const APP_ID = 'wxh5test000000001';
const APP_SECRET = 'h5-test-secret-000000000000000000';

const listen = (handler: http.RequestListener) =>
  new Promise<http.Server>((resolve) => {
    const s = http.createServer(handler);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
const baseOf = (s: http.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const stop = async (s: http.Server) => {
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
};

export async function h5Harness(kind: { db: DbKind; store: 'redis' | 'memory' }) {
  const prefix = testRedisPrefix();
  const f = await preferencesFixture(kind, prefix);
  const wechat = createWechatApiServer({ appId: APP_ID, appSecret: APP_SECRET });
  const wechatServer = await listen(wechat.app.callback());
  const wechatBase = baseOf(wechatServer);
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    DATA_KEY: f.dataKey.toString('base64'),
    WECHAT_APPID: APP_ID,
    WECHAT_APPSECRET: APP_SECRET,
    WECHAT_API_BASE: wechatBase,
    LOG_LEVEL: 'silent',
  });
  const deps: Deps = { config, log: createLogger('silent'), db: f.db, store: f.store, vault: f.vault };
  const oauth = new WechatOAuth({ appId: APP_ID, appSecret: APP_SECRET, apiBase: wechatBase });
  const enabledAnnouncements: number[] = [];
  const app = createHttpApp(deps);
  const router = h5Router(
    deps,
    {
      subscribers: f.subscribers,
      bindings: f.bindings,
      protection: f.protection,
      preferences: f.preferences,
      lists: f.lists,
      dataRights: f.dataRights,
      announceEnabled: async (id) => {
        enabledAnnouncements.push(id);
      },
    },
    { authorizeBase: wechatBase, exchangeCode: (code) => oauth.exchangeCode(code) },
  );
  app.use(router.routes()).use(router.allowedMethods());
  const server = await listen(app.callback());
  const base = baseOf(server);
  return {
    ...f,
    prefix,
    wechat,
    wechatBase,
    base,
    deps,
    enabledAnnouncements,
    client: () => new H5Client(base),
    async close() {
      await stop(server);
      await stop(wechatServer);
      await f.close();
    },
  };
}

export type H5Harness = Awaited<ReturnType<typeof h5Harness>>;

/** fetch with a cookie jar and no automatic redirects, so every hop of the sign-in can be checked. */
export class H5Client {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: string; csrf?: string | null } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (url.startsWith(this.base) && this.cookies.size) headers.cookie = this.cookieHeader();
    if (init.csrf !== null && (init.csrf ?? this.csrf)) headers['x-csrf-token'] = init.csrf ?? this.csrf;
    let body: string | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' });
    if (url.startsWith(this.base)) {
      for (const c of res.headers.getSetCookie()) {
        const [pair, ...attrs] = c.split(';');
        const [name, ...v] = pair.split('=');
        const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()));
        if (expired || v.join('=') === '') this.cookies.delete(name.trim());
        else this.cookies.set(name.trim(), v.join('='));
      }
    }
    return res;
  }

  /** The whole OAuth2 round trip: our page → WeChat authorize (as `openid`) → our callback → the page. */
  async signIn(openid: string, page = '/h5/'): Promise<{ authorize: URL; html: string }> {
    const first = await this.request(page);
    if (first.status !== 302) throw new Error(`expected a redirect to WeChat, got ${first.status}`);
    const authorize = new URL(first.headers.get('location')!);
    const picked = new URL(authorize);
    picked.searchParams.set('openid', openid);
    const fromWechat = await fetch(picked, { redirect: 'manual' });
    const callback = fromWechat.headers.get('location');
    if (!callback) throw new Error(`WeChat's authorize answered ${fromWechat.status}: ${await fromWechat.text()}`);
    const back = await this.request(callback);
    if (back.status !== 302) throw new Error(`callback answered ${back.status}: ${await back.text()}`);
    const pageRes = await this.request(back.headers.get('location')!);
    const html = await pageRes.text();
    this.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
    return { authorize, html };
  }

  async json<T = Record<string, unknown>>(path: string, init: Parameters<H5Client['request']>[1] = {}): Promise<{ status: number; body: T }> {
    const res = await this.request(path, init);
    return { status: res.status, body: (await res.json()) as T };
  }
}
