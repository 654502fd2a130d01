// npm run menu:publish: builds the menu from menus/ and creates it through WECHAT_API_BASE.
import { loadConfig, publicBase } from '../app/config';
import { createLogger } from '../app/log';
import { openStore } from '../app/store';
import { WechatClient } from '../app/wechat/api-client';
import { publishMenu } from './publish';

async function main() {
  const config = loadConfig();
  if (!config.wechat.apiBase) {
    console.error('WECHAT_API_BASE is unset: the embedded simulator publishes the menu itself when `npm start` runs.');
    console.error('Set WECHAT_API_BASE (https://api.weixin.qq.com) with the account credentials to publish to WeChat.');
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const store = await openStore(config.redisUrl, { prefix: config.redisKeyPrefix });
  const wechat = new WechatClient({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, apiBase: config.wechat.apiBase, store, log });
  const menu = await publishMenu(wechat, publicBase(config));
  console.log(`menu published: ${menu.button.map((b) => b.name + (b.sub_button ? ` [${b.sub_button.map((s) => s.name).join(' · ')}]` : '')).join(' | ')}`);
  await store.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
