// ops operator add NAME --role viewer|reviewer|admin [--totp] | list | disable NAME | enable NAME | unlock NAME
// The password is read from a prompt (echo off) or from stdin when piped, never from the command line,
// where ps and shell history would keep it.
import type { Command } from 'commander';
import { OperatorRefused, OperatorService } from '../../console/operators';
import { isoMinute, OpsError, table } from '../context';
import type { Runner } from '../run';

/** One line from stdin: typed at a terminal with echo off, or the first line of a pipe. */
export async function readPassword(prompt: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!input.isTTY) {
    let data = '';
    for await (const chunk of input) {
      data += chunk;
      if (data.includes('\n')) break;
    }
    return data.split(/\r?\n/)[0];
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          return resolve(typed);
        }
        if (ch === '\u0003') {
          input.setRawMode(false);
          input.pause();
          return reject(new OpsError('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

export function operatorCommands(program: Command, run: Runner): void {
  const operator = program.command('operator').description('web console (/ops/) accounts: add, list, disable, enable, unlock');
  const service = (deps: Parameters<Parameters<Runner>[1]>[0]['deps']) => new OperatorService(deps.db, deps.store, deps.config.dataKey);
  const refusals = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OperatorRefused) throw new OpsError(e.message);
      throw e;
    }
  };

  operator
    .command('add <name>')
    .description('create an account; the password is asked for (or read from stdin), never given as an argument')
    .requiredOption('--role <role>', 'viewer (look), reviewer (reports, appeals, labels) or admin (everything)')
    .option('--totp', 'require a TOTP code too; prints the otpauth:// URI to load into an authenticator app')
    .action((name: string, o, cmd) =>
      run(cmd, async ({ deps, out, operator: by }) => {
        const password = await readPassword(`password for ${name}: `);
        const r = await refusals(() => service(deps).add({ name, role: o.role, password, totp: !!o.totp, by }));
        out({ name: r.operator.name, role: r.operator.role, totpUri: r.totpUri }, () =>
          [`operator ${r.operator.name} added (${r.operator.role})`, r.totpUri ? `TOTP: load this into the authenticator app, then keep it nowhere else:\n${r.totpUri}` : ''].filter(Boolean).join('\n'),
        );
      }),
    );

  operator
    .command('list')
    .description('accounts and their roles')
    .action((_o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        const rows = await service(deps).list();
        out(
          rows.map((r) => ({ name: r.name, role: r.role, totp: !!r.totpSealed, disabled: r.disabled, lastSignInAt: r.lastSignInAt })),
          () => (rows.length ? table(['name', 'role', 'totp', 'state', 'last sign-in'], rows.map((r) => [r.name, r.role, r.totpSealed ? 'yes' : 'no', r.disabled ? 'DISABLED' : 'active', isoMinute(r.lastSignInAt)])) : 'no operators'),
        );
      }),
    );

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    operator
      .command(`${verb} <name>`)
      .description(disabled ? 'no more sign-ins; open sessions end at their next request' : 'allow sign-ins again')
      .action((name: string, _o, cmd) =>
        run(cmd, async ({ deps, out, operator: by }) => {
          await refusals(() => service(deps).setDisabled(name, disabled, by));
          out({ name, disabled }, () => `operator ${name} ${disabled ? 'disabled' : 'enabled'}`);
        }),
      );
  }

  operator
    .command('unlock <name>')
    .description('lift a lockout after failed sign-ins')
    .action((name: string, _o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        await service(deps).unlock(name);
        out({ name, unlocked: true }, () => `operator ${name} unlocked`);
      }),
    );
}
