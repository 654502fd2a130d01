// ops notices replay-failed: failed notices back onto the outbox, with a progress bar.
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { OpsError } from '../context';
import { replayFailedNotices } from '../replay-notices';
import type { Runner } from '../run';

export function noticeCommands(program: Command, run: Runner): void {
  const notices = program.command('notices').description('拦截通知: the notices outbox');
  notices
    .command('replay-failed')
    .description('put failed notices of the last days back on the outbox for the workers')
    .option('--days <n>', 'only notices created within this many days', '7')
    .option('--include-uncertain', 'also notices whose channel never answered (the subscriber may get them twice)')
    .option('--dry-run', 'count, change nothing')
    .action((o, cmd) =>
      run(cmd, async ({ deps, out, operator, json }) => {
        const days = Number(o.days);
        if (!(days > 0)) throw new OpsError('--days must be a positive number');
        // The bar goes to stderr, so stdout keeps only the answer (and JSON stays parseable).
        // Off a terminal (cron, CI logs) it still reports, a line every half second.
        const bar = new SingleBar(
          { format: 'replaying [{bar}] {value}/{total} notices', stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 500 },
          Presets.shades_classic,
        );
        let started = false;
        const r = await replayFailedNotices(deps, {
          since: new Date(Date.now() - days * 86_400_000),
          includeUncertain: !!o.includeUncertain,
          operator,
          dryRun: !!o.dryRun,
          onProgress: (done, total) => {
            if (json || total === 0) return;
            if (!started) {
              bar.start(total, done);
              started = true;
            } else bar.update(done);
          },
        });
        if (started) bar.stop();
        out(r, () => (o.dryRun ? `${r.total} notice(s) would be replayed` : `${r.requeued} of ${r.total} notice(s) put back on the outbox`));
      }),
    );
}
