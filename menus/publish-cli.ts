// npm run menu:publish: builds the menu from menus/ and creates it through WECHAT_API_BASE, with the
// assembly's WeChat client (its access token shared through the store); `npm run ops -- menu publish` does the same.
import { wechatClientFor } from '../app/assemble';
import { loadConfig, publicBase } from '../app/config';
import { openConfiguredStore } from '../app/lifecycle';
import { createLogger } from '../app/log';
import { menuSummary, publishMenu } from './publish';

async function main() {
  const config = loadConfig();
  if (!config.wechat.apiBase) {
    console.error('WECHAT_API_BASE is unset: the embedded simulator publishes the menu itself when `npm start` runs.');
    console.error('Set WECHAT_API_BASE (https://api.weixin.qq.com) with the account credentials to publish to WeChat.');
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const store = await openConfiguredStore(config, log);
  try {
    const menu = await publishMenu(wechatClientFor({ config, store, log }, publicBase(config)), publicBase(config));
    console.log(menuSummary(menu));
  } finally {
    await store.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
