// How every operator command runs: open what it needs, act, print (a table, or JSON with --json), close.
// A refusal (unknown appeal, bad number, missing --reason…) is one line on stderr and exit code 1.
import type { Command } from 'commander';
import type { Deps } from '../deps';
import { AppealRefused } from '../reports/appeal-service';
import { ReportRefused } from '../reports/report-service';
import { ReviewRefused } from '../reports/report-review';
import { LabelError } from '../labels/service';
import { PublicServiceRefused } from '../protection/public-service';
import { loadPublicServiceNumbers, PublicServiceInputError } from '../protection/public-service-sync';
import { closeOpsDeps, openOpsDeps, operatorName, OpsError } from './context';
import { opsServices, type OpsServices } from '../assemble';

export interface RunContext {
  deps: Deps;
  s: OpsServices;
  operator: string;
  json: boolean;
  /** Prints `data` as JSON with --json, else what `human` renders. */
  out(data: unknown, human: () => string): void;
}

export type Runner = (cmd: Command, fn: (c: RunContext) => Promise<void>) => Promise<void>;

const REFUSALS = [OpsError, AppealRefused, ReportRefused, ReviewRefused, LabelError, PublicServiceRefused, PublicServiceInputError];

export function makeRunner(open: () => Promise<Deps> = openOpsDeps): Runner {
  return async (cmd, fn) => {
    const g = cmd.optsWithGlobals() as { json?: boolean; operator?: string };
    let deps: Deps | null = null;
    try {
      deps = await open();
      // The operator's additions too: `label set 12315 …` is refused once 12315 was added.
      await loadPublicServiceNumbers(deps.db);
      const json = !!g.json;
      await fn({
        deps,
        s: opsServices(deps),
        operator: operatorName(g.operator),
        json,
        out: (data, human) => process.stdout.write((json ? JSON.stringify(data, null, 2) : human()) + '\n'),
      });
    } catch (err) {
      if (!REFUSALS.some((k) => err instanceof k)) throw err;
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      if (deps) await closeOpsDeps(deps);
    }
  };
}
