// ops menu publish: the menu of menus/tree.ts, created through the WeChat API (what npm run menu:publish does).
import type { Command } from 'commander';
import { publicBase } from '../../config';
import { WechatClient } from '../../wechat/api-client';
import { publishMenu } from '../../../menus/publish';
import { OpsError } from '../context';
import type { Runner } from '../run';

export function menuCommands(program: Command, run: Runner): void {
  const menu = program.command('menu').description('the official account’s menu');
  menu
    .command('publish')
    .description('build the menu and create it through WECHAT_API_BASE')
    .action((_o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        const { config } = deps;
        if (!config.wechat.apiBase) throw new OpsError('WECHAT_API_BASE is unset: the embedded simulator publishes the menu itself when the server starts');
        const wechat = new WechatClient({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, apiBase: config.wechat.apiBase, store: deps.store, log: deps.log });
        const built = await publishMenu(wechat, publicBase(config));
        out(built, () => `menu published: ${built.button.map((b) => b.name + (b.sub_button ? ` [${b.sub_button.map((x) => x.name).join(' · ')}]` : '')).join(' | ')}`);
      }),
    );
}
