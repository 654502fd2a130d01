// Publishes the menu of menus/tree.ts through the WeChat API, checked against WeChat's limits first.
import type { WechatClient } from '../app/wechat/api-client';
import { buildMenu } from './build';

export async function publishMenu(wechat: Pick<WechatClient, 'createMenu'>, publicBaseUrl: string) {
  const menu = buildMenu(publicBaseUrl);
  await wechat.createMenu(menu);
  return menu;
}

/** What a command prints once the menu is published: the buttons, sub-buttons in brackets. */
export function menuSummary(menu: ReturnType<typeof buildMenu>): string {
  return `menu published: ${menu.button.map((b) => b.name + (b.sub_button ? ` [${b.sub_button.map((x) => x.name).join(' · ')}]` : '')).join(' | ')}`;
}
