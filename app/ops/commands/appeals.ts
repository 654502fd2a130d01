// ops appeals list | resolve | owner
import type { Command } from 'commander';
import { maskPhone } from '../../privacy/mask';
import { isoMinute, OpsError, table } from '../context';
import type { Runner } from '../run';

export function appealCommands(program: Command, run: Runner): void {
  const appeals = program.command('appeals').description('误拦截申诉: review and decide appeals');

  appeals
    .command('list')
    .description('appeals waiting for a decision (or in another state)')
    .option('--status <s>', 'open | upheld | rejected | all', 'open')
    .option('--limit <n>', 'at most this many', '100')
    .action((o, cmd) =>
      run(cmd, async ({ s, out }) => {
        if (!['open', 'upheld', 'rejected', 'all'].includes(o.status)) throw new OpsError('--status is open, upheld, rejected or all');
        const rows = await s.appeals.list({ status: o.status, limit: Number(o.limit) });
        out(rows, () =>
          rows.length === 0
            ? `no ${o.status === 'all' ? '' : `${o.status} `}appeals`
            : table(
                ['id', 'kind', 'number', 'subscriber', 'status', 'filed', 'note', 'resolution'],
                rows.map((a) => [a.id, a.kind, a.number, a.subscriberId, a.status, isoMinute(a.createdAt), a.note, a.resolution]),
              ),
        );
      }),
    );

  appeals
    .command('resolve <id>')
    .description('--uphold removes the number’s labels (history kept); --reject keeps them')
    .option('--uphold', '(one of --uphold / --reject required) the interception was wrong')
    .option('--reject', '(one of --uphold / --reject required) the label stands')
    .requiredOption('--note <text>', 'the decision, for the appellant and the audit trail')
    .action((id: string, o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        if (!!o.uphold === !!o.reject) throw new OpsError('say --uphold or --reject');
        const r = await s.appeals.resolve(Number(id), o.uphold ? 'upheld' : 'rejected', { operator, resolution: o.note });
        out({ id: r.appeal.id, status: r.appeal.status, labelsCleared: r.labelsCleared, reportsDismissed: r.reportsDismissed }, () =>
          `appeal ${r.appeal.id} ${r.appeal.status}` + (o.uphold ? `: ${r.labelsCleared} label(s) removed, ${r.reportsDismissed} report(s) set aside` : ''),
        );
      }),
    );

  appeals
    .command('owner <number>')
    .description('file an appeal for a number’s owner (an enterprise contesting its label)')
    .requiredOption('--note <text>', 'who the owner is and why they appeal')
    .action((number: string, o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        const a = await s.appeals.fileByOwner(number, { operator, note: o.note });
        out({ id: a.id, number: a.number }, () => `owner appeal ${a.id} filed for ${a.number.length === 11 ? maskPhone(a.number) : a.number}`);
      }),
    );
}
