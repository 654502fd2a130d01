// The H5 pages on real backends, in the application assembled as `npm start` assembles it in embedded
// mode (app/assemble.ts + app/server.ts): subscribers sign in against the simulated WeChat API mounted on
// the same server (WeChat's OAuth2 paths and errcodes), plus a small cookie-keeping client.
import crypto from 'node:crypto';
import { Notice } from '../../entities';
import { loadConfig } from '../../app/config';
import type { Deps } from '../../app/deps';
import { createLogger } from '../../app/log';
import { SIMULATOR_API_PATH } from '../../app/assemble';
import { PhoneVault } from '../../app/privacy/phone-vault';
import { startServer } from '../../app/server';
import { createTestDb, createTestStore, testRedisPrefix, type DbKind } from './backends';
import { subscriberMaker } from './preferences-fixture';

export async function h5Harness(kind: { db: DbKind; store: 'redis' | 'memory' }) {
  const prefix = testRedisPrefix();
  const testDb = await createTestDb(kind.db);
  const store = await createTestStore(kind.store, prefix);
  const dataKey = crypto.randomBytes(32);
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    DATA_KEY: dataKey.toString('base64'),
    WECHAT_APPID: 'wxh5test000000001',
    WECHAT_APPSECRET: 'h5-test-secret-000000000000000000',
    LOG_LEVEL: 'silent',
  });
  const vault = new PhoneVault(dataKey);
  const deps: Deps = { config, log: createLogger('silent'), db: testDb.ds, store, vault };
  // No workers: the notices the pages schedule stay in the outbox, where a test reads them.
  const server = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false });
  const s = server.services;
  const base = `http://127.0.0.1:${server.port}`;
  return {
    db: testDb.ds,
    store,
    vault,
    dataKey,
    subscribers: s.subscribers,
    bindings: s.bindings,
    protection: s.protection,
    preferences: s.preferences,
    lists: s.lists,
    dataRights: s.dataRights,
    subscriber: subscriberMaker(s, vault),
    prefix,
    wechat: s.sim!,
    wechatBase: `${base}${SIMULATOR_API_PATH}`,
    base,
    deps,
    /** How many times the "service enabled" notices were scheduled for this subscriber (one receipt per time). */
    async enabledAnnouncements(subscriberId: number): Promise<number> {
      const rows = await testDb.ds.getRepository(Notice).find({ select: { receipt: true }, where: { subscriberId, kind: 'enabled' } });
      return new Set(rows.map((r) => r.receipt)).size;
    },
    client: () => new H5Client(base),
    async close() {
      await server.close();
      await store.close();
      await testDb.drop();
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
