// Publishes the menu of menus/tree.ts through the WeChat API, checked against WeChat's limits first.
import type { WechatClient } from '../app/wechat/api-client';
import { buildMenu } from './build';

export async function publishMenu(wechat: Pick<WechatClient, 'createMenu'>, publicBaseUrl: string) {
  const menu = buildMenu(publicBaseUrl);
  await wechat.createMenu(menu);
  return menu;
}
