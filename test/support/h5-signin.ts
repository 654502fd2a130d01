// Signs an H5Client in to the application as `npm start` assembles it (app-harness): our page sends the
// browser to WeChat's authorize page (open.weixin.qq.com, outside our walls), whose stand-in is the fake
// WeChat API; the rest of the OAuth2 round trip is ours.
import type { Harness } from './app-harness';
import { H5Client } from './h5-harness';

export async function signedInClient(h: Harness, openid: string): Promise<H5Client> {
  const client = new H5Client(h.server.url);
  const first = await client.request('/h5/');
  const authorize = new URL(first.headers.get('location')!);
  const picked = new URL(`${h.wechat.baseUrl}${authorize.pathname}${authorize.search}`);
  picked.searchParams.set('openid', openid);
  const back = await client.request((await fetch(picked, { redirect: 'manual' })).headers.get('location')!);
  if (back.status !== 302) throw new Error(`sign-in callback answered ${back.status}`);
  const html = await (await client.request('/h5/')).text();
  client.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
  return client;
}
