// ops public-service list | add NUMBER [--note] | remove NUMBER: the numbers never blocked, labelled or
// listed. Built-in ones (emergency, anti-fraud) cannot be removed; additions reach every running process
// at once (announced on the store) and within 30 seconds at the latest.
import type { Command } from 'commander';
import { PublicServiceAdmin } from '../../protection/public-service-sync';
import { table } from '../context';
import type { Runner } from '../run';

export function publicServiceCommands(program: Command, run: Runner): void {
  const ps = program.command('public-service').description('公共服务号码: emergency and public-service numbers that are never blocked');
  const admin = (deps: Parameters<Parameters<Runner>[1]>[0]['deps']) => new PublicServiceAdmin(deps.db, deps.store);

  ps.command('list')
    .description('built-in and added numbers')
    .action((_o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        const rows = await admin(deps).list();
        out(rows, () => table(['number', 'what', 'source', 'added'], rows.map((r) => [r.value, r.note, r.builtIn ? 'built-in' : `operator ${r.addedBy}`, r.createdAt?.slice(0, 16).replace('T', ' ')])));
      }),
    );

  ps.command('add <number>')
    .description('add a number (short code, service or landline number)')
    .option('--note <text>', 'what the number is')
    .action((raw: string, o, cmd) =>
      run(cmd, async ({ deps, out, operator }) => {
        const r = await admin(deps).add(raw, o.note ?? null, operator);
        out(r, () => (r.added ? `${r.value} added: never blocked, labelled or listed from now on` : `${r.value} is already a public-service number`));
      }),
    );

  ps.command('remove <number>')
    .description('remove an added number')
    .action((raw: string, _o, cmd) =>
      run(cmd, async ({ deps, out }) => {
        const r = await admin(deps).remove(raw);
        out(r, () => (r.removed ? `${r.value} removed` : `${r.value} was not an added public-service number`));
      }),
    );
}
