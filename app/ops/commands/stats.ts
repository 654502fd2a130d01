// ops stats: subscribers, protection, interceptions per day and category, notices and SMS by outcome, queues.
import type { Command } from 'commander';
import { categoryName } from '../../reports/categories';
import { OpsError, table } from '../context';
import type { Runner } from '../run';
import { serviceStats } from '../stats';

export function statsCommands(program: Command, run: Runner): void {
  program
    .command('stats')
    .description('the service at a glance')
    .option('--days <n>', 'window for interceptions, notices and SMS', '7')
    .action((o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        const days = Number(o.days);
        if (!(days > 0 && days <= 366)) throw new OpsError('--days must be between 1 and 366');
        const st = await serviceStats(deps.db, { days });
        out(st, () =>
          [
            `subscribers ${st.subscribers.total} (WeChat ${st.subscribers.wechat}, SMS only ${st.subscribers.smsOnly}, following ${st.subscribers.following}, phones bound ${st.subscribers.bound})`,
            `protection  enabled ${st.protection.enabled}, paused ${st.protection.paused}, off ${st.protection.off}`,
            `interceptions in ${st.days} days: ${st.interceptions.total}`,
            st.interceptions.perDay.length ? table(['day (UTC+8)', 'interceptions'], st.interceptions.perDay.map((d) => [d.day, d.count])) : '',
            st.interceptions.perCategory.length ? table(['category', 'interceptions'], st.interceptions.perCategory.map((c) => [`${c.category} ${categoryName(c.category)}`, c.count])) : '',
            `notices     ${Object.entries(st.notices.byState).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
            st.notices.byChannel.length ? table(['channel', 'state', 'notices'], st.notices.byChannel.map((c) => [c.channel, c.state, c.count])) : '',
            `sms         ${st.sms.map((x) => `${x.purpose}/${x.status} ${x.count}`).join(', ') || 'none'}`,
            `queues      appeals open ${st.queues.openAppeals}, reports unreviewed ${st.queues.reportsUnreviewed}, 12321 complaints open ${st.queues.complaintsOpen} (overdue ${st.queues.complaintsOverdue})`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );
}
