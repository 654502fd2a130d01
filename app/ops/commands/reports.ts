// ops reports list | due | review | handle
import type { Command } from 'commander';
import { isCategoryCode } from '../../reports/categories';
import { isoMinute, OpsError, table } from '../context';
import type { Runner } from '../run';

export function reportCommands(program: Command, run: Runner): void {
  const reports = program.command('reports').description('举报: numbers being reported, 12321 deadlines, decisions');

  reports
    .command('list')
    .description('numbers reported in the evidence window, flagged bursts first')
    .option('--flagged', 'only numbers with a burst of low-trust reports')
    .option('--unreviewed', 'only numbers with reports no operator has looked at')
    .option('--limit <n>', 'at most this many numbers', '50')
    .action((o, cmd) =>
      run(cmd, async ({ s, out }) => {
        const rows = await s.review.numbers({ flaggedOnly: !!o.flagged, unreviewedOnly: !!o.unreviewed, limit: Number(o.limit) });
        out(rows, () =>
          rows.length === 0
            ? 'no reported numbers'
            : table(
                ['number', 'reports', 'reporters', 'categories', 'flag', 'unreviewed', 'last'],
                rows.map((r) => [r.number, r.reports, r.reporters, r.categories.join(','), r.burst ? 'BURST' : '', r.unreviewed, isoMinute(r.lastAt)]),
              ),
        );
      }),
    );

  reports
    .command('due')
    .description('complaints forwarded from 12321 and the date each must be handled by')
    .option('--all', 'include handled complaints')
    .action((o, cmd) =>
      run(cmd, async ({ s, out }) => {
        const rows = await s.review.dueComplaints({ includeHandled: !!o.all });
        out(rows, () =>
          rows.length === 0
            ? 'no forwarded complaints waiting'
            : table(
                ['id', 'number', 'category', 'complaint', 'received', 'due', 'state'],
                rows.map((r) => [r.id, r.number, r.category, r.externalId, isoMinute(r.receivedAt), isoMinute(r.dueAt), r.state.toUpperCase()]),
              ),
        );
      }),
    );

  reports
    .command('review <number>')
    .description('decide on a reported number: --confirm pins an operator label, --dismiss sets the reports aside')
    .option('--confirm', '(one of --confirm / --dismiss required) the reports are right')
    .option('--dismiss', '(one of --confirm / --dismiss required) the reports are wrong (malicious or mistaken)')
    .option('--category <code>', 'label category when confirming (default: the most reported)')
    .option('--confidence <x>', 'label confidence when confirming', '0.9')
    .requiredOption('--reason <text>', 'why, for the audit trail')
    .action((number: string, o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        if (!!o.confirm === !!o.dismiss) throw new OpsError('say --confirm or --dismiss');
        if (o.category && !isCategoryCode(o.category)) throw new OpsError(`unknown category ${o.category}`);
        const confidence = Number(o.confidence);
        if (!(confidence > 0 && confidence <= 1)) throw new OpsError('--confidence must be in (0, 1]');
        const r = await s.review.review(number, o.confirm ? 'confirm' : 'dismiss', { operator, reason: o.reason, category: o.category, confidence });
        out(r, () =>
          o.confirm ? `confirmed ${r.number}: ${r.reports} reports reviewed, labelled ${r.category}` : `dismissed ${r.reports} reports of ${r.number}; ${r.labelsCleared} report label(s) removed`,
        );
      }),
    );

  reports
    .command('handle <id>')
    .description('mark a forwarded complaint handled')
    .action((id: string, _o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        await s.review.handleComplaint(Number(id), operator);
        out({ handled: Number(id) }, () => `complaint ${id} handled`);
      }),
    );
}
