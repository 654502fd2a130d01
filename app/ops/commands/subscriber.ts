// ops subscriber find PHONE [--reveal --reason "…"]
import type { Command } from 'commander';
import { OpsError } from '../context';
import type { Runner } from '../run';
import { findSubscriberByPhone } from '../subscriber-lookup';

export function subscriberCommands(program: Command, run: Runner): void {
  const subscriber = program.command('subscriber').description('look a subscriber up by phone (masked unless revealed, with a reason, audited)');
  subscriber
    .command('find <phone>')
    .description('the subscriber protecting this phone')
    .option('--reveal', 'show the full phone number and openid (audited)')
    .option('--reason <text>', 'why the reveal is needed (required with --reveal)')
    .action((phone: string, o, cmd) =>
      run(cmd, async ({ deps, out, operator }) => {
        if (o.reveal && !o.reason) throw new OpsError('--reveal needs --reason "…" saying why');
        const card = await findSubscriberByPhone(deps, phone, o.reveal ? { operator, reason: o.reason } : undefined);
        if (!card) throw new OpsError('no subscriber holds this phone');
        out(card, () =>
          [
            `subscriber ${card.subscriberId}${card.revealed ? '   (revealed, audited)' : ''}`,
            `phone       ${card.phone} (bound via ${card.bindingSource}, ${card.boundAt.slice(0, 10)})`,
            `openid      ${card.openid ?? '- (SMS only)'}${card.following ? ', following' : ''}${card.wechatPushBlocked ? ', WeChat pushes blocked' : ''}`,
            `protection  ${card.protection}${card.settingsVersion !== null ? ` (settings v${card.settingsVersion})` : ''}`,
            `lists       reject ${card.rejectList}, allow ${card.allowList}`,
            `activity    ${card.interceptions30d} interceptions in 30 days, ${card.reportsFiled} reports filed, ${card.openAppeals} open appeals`,
            `last change ${card.lastChange ? `${card.lastChange.action} via ${card.lastChange.channel} at ${card.lastChange.at.slice(0, 16).replace('T', ' ')}` : '-'}`,
          ].join('\n'),
        );
      }),
    );
}
