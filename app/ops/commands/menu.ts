// ops menu publish: the menu of menus/tree.ts, created through the WeChat API (what npm run menu:publish does).
import type { Command } from 'commander';
import { publicBase } from '../../config';
import { wechatClientFor } from '../../assemble';
import { menuSummary, publishMenu } from '../../../menus/publish';
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
        const built = await publishMenu(wechatClientFor(deps, publicBase(config)), publicBase(config));
        out(built, () => menuSummary(built));
      }),
    );
}
