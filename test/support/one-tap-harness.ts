// The assembled server with NUMBER_AUTH_PROVIDER=aliyun against the local Aliyun number-authentication fake,
// and H5 sign-in through the fake WeChat's authorize page (which stands in for open.weixin.qq.com).
import { startHarness, type Harness } from './app-harness';
import { startAliyunNumberAuthFake, type AliyunNumberAuthFake, type NumberAuthScheme } from './fake-aliyun-number-auth';
import { H5Client } from './h5-harness';

export const NUMBER_AUTH_KEYS = { accessKeyId: 'LTAI5tNumberAuthTest000', accessKeySecret: 'test-secret-for-the-fake-pnvs-00001' };
export const SCENE_CODE = 'FC100000106430001';

export interface OneTapHarness extends Harness {
  aliyun: AliyunNumberAuthFake;
  scheme: NumberAuthScheme;
  signIn(openid: string, page?: string): Promise<H5Client>;
}

export async function startOneTapHarness(o: { db?: 'mariadb' | 'sqlite'; store?: 'redis' | 'memory'; secret?: string; env?: Record<string, string> } = {}): Promise<OneTapHarness> {
  // The scheme is registered with the page's address, known once the server listens.
  const scheme: NumberAuthScheme = { sceneCode: SCENE_CODE, url: '', origin: '' };
  const aliyun = await startAliyunNumberAuthFake(NUMBER_AUTH_KEYS, scheme);
  const h = await startHarness({
    db: o.db,
    store: o.store,
    env: {
      NUMBER_AUTH_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: NUMBER_AUTH_KEYS.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: o.secret ?? NUMBER_AUTH_KEYS.accessKeySecret,
      NUMBER_AUTH_ENDPOINT: aliyun.endpoint,
      NUMBER_AUTH_SCENE_CODE: SCENE_CODE,
      NUMBER_AUTH_SDK_URL: 'https://static.example.com/numberAuth-web-sdk.js',
      ...o.env,
    },
  });
  scheme.origin = new URL(h.server.url).origin;
  scheme.url = `${scheme.origin}/`;
  return {
    ...h,
    aliyun,
    scheme,
    async signIn(openid, page = '/h5/bind') {
      const c = new H5Client(h.server.url);
      const first = await c.request(page);
      if (first.status !== 302) throw new Error(`expected a redirect to WeChat, got ${first.status}`);
      const authorize = new URL(first.headers.get('location')!);
      const atWechat = new URL(`${authorize.pathname}${authorize.search}`, h.wechat.baseUrl);
      atWechat.searchParams.set('openid', openid);
      const fromWechat = await fetch(atWechat, { redirect: 'manual' });
      const back = await c.request(fromWechat.headers.get('location')!);
      const landed = await c.request(back.headers.get('location')!);
      c.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await landed.text())?.[1] ?? '';
      return c;
    },
    close: async () => {
      await h.close();
      await aliyun.close();
    },
  };
}
