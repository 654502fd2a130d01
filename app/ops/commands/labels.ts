// ops label show | set | clear NUMBER
import type { Command } from 'commander';
import { isLabelCategory } from '../../labels/categories';
import { normalizeNumber } from '../../protection/numbers';
import { isoMinute, OpsError, table } from '../context';
import type { Runner } from '../run';

function normal(raw: string): string {
  const n = normalizeNumber(raw);
  if (n.kind === 'invalid') throw new OpsError(`not a phone number: ${raw}`);
  return n.value;
}

export function labelCommands(program: Command, run: Runner): void {
  const label = program.command('label').description('号码标记: a number’s labels and their history');

  label
    .command('show <number>')
    .description('labels (live, expired and removed) and every change made to them')
    .action((raw: string, _o, cmd) =>
      run(cmd, async ({ s, out }) => {
        const number = normal(raw);
        const labels = await s.labels.labelsOf(number);
        const history = await s.labels.historyOf(number);
        out({ number, labels, history }, () =>
          [
            `number ${number}`,
            labels.length === 0
              ? 'no labels'
              : table(
                  ['category', 'source', 'confidence', 'now', 'evidence', 'last seen', 'expires', 'state'],
                  labels.map((l) => [l.category, l.source, l.confidence.toFixed(3), l.effective.toFixed(3), l.evidenceCount, isoMinute(l.lastSeen), isoMinute(l.expiresAt), l.removed ? 'removed' : l.expired ? 'expired' : 'live']),
                ),
            history.length === 0
              ? 'no recorded changes'
              : 'history\n' +
                table(
                  ['at', 'change', 'category', 'source', 'confidence', 'was', 'by', 'reason'],
                  history.map((h) => [isoMinute(h.at), h.change, h.category, h.source, h.confidence?.toFixed(3), h.previousSource ? `${h.previousSource} ${h.previousConfidence?.toFixed(3)}` : null, h.actor, h.reason]),
                ),
          ].join('\n'),
        );
      }),
    );

  label
    .command('set <number> <category>')
    .description('set or correct a label; an operator’s label stands until an operator changes it')
    .option('--confidence <x>', '0 < x ≤ 1', '0.9')
    .option('--expires <date>', 'ISO date after which it no longer counts (default: never)')
    .requiredOption('--reason <text>', 'why, for the history')
    .action((raw: string, category: string, o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        const number = normal(raw);
        if (!isLabelCategory(category)) throw new OpsError(`unknown category ${category}`);
        const confidence = Number(o.confidence);
        if (!(confidence > 0 && confidence <= 1)) throw new OpsError('--confidence must be in (0, 1]');
        const expiresAt = o.expires ? new Date(o.expires) : null;
        if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new OpsError('--expires must be an ISO date');
        await s.labels.setByOperator({ number, category, confidence, expiresAt, actor: `operator:${operator}`, reason: o.reason });
        out({ number, category, confidence }, () => `${number} labelled ${category} (${confidence})`);
      }),
    );

  label
    .command('clear <number>')
    .description('remove a number’s labels (all, or one category); the history keeps them')
    .option('--category <c>', 'only this category')
    .requiredOption('--reason <text>', 'why, for the history')
    .action((raw: string, o, cmd) =>
      run(cmd, async ({ s, out, operator }) => {
        const number = normal(raw);
        if (o.category && !isLabelCategory(o.category)) throw new OpsError(`unknown category ${o.category}`);
        const removed = await s.labels.clear({ number, category: o.category, by: 'operator', actor: `operator:${operator}`, reason: o.reason });
        out({ number, removed }, () => `${removed} label(s) of ${number} removed`);
      }),
    );
}
