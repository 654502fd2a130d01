// npm run ops -- <command>: the operator's tools. Reads DATABASE_URL, REDIS_URL, DATA_KEY… like the server
// (loadConfig); never migrates. `--json` gives machine-readable answers; `--operator` names who acts
// (default OPS_OPERATOR, else the login name) for the audit trail.
import { Command } from 'commander';
import { appealCommands } from './commands/appeals';
import { labelCommands } from './commands/labels';
import { menuCommands } from './commands/menu';
import { noticeCommands } from './commands/notices';
import { operatorCommands } from './commands/operators';
import { publicServiceCommands } from './commands/public-service';
import { reportCommands } from './commands/reports';
import { statsCommands } from './commands/stats';
import { subscriberCommands } from './commands/subscriber';
import { makeRunner, type Runner } from './run';

export function buildProgram(run: Runner = makeRunner()): Command {
  const program = new Command()
    .name('ops')
    .description('防骚扰 operator tools: reports, appeals, labels, subscribers, menu, notices, statistics, console accounts')
    .option('--json', 'machine-readable output')
    .option('--operator <name>', 'who is acting (audit trail)')
    .showHelpAfterError();
  reportCommands(program, run);
  appealCommands(program, run);
  labelCommands(program, run);
  subscriberCommands(program, run);
  menuCommands(program, run);
  noticeCommands(program, run);
  statsCommands(program, run);
  operatorCommands(program, run);
  publicServiceCommands(program, run);
  markRequired(program);
  return program;
}

/** Help shows which options must be given: commander's own help does not say. */
function markRequired(cmd: Command): void {
  for (const o of cmd.options) if (o.mandatory && !o.description.startsWith('(required)')) o.description = `(required) ${o.description}`;
  for (const sub of cmd.commands) markRequired(sub);
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
