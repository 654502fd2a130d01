// The precedence table through the pure decide(): one row per rule and per conflict (test/support/
// protection-cases.ts), plus the promise that docs/decisions.md states the same order as rules.ts.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { decide, type LabelHit } from '../app/protection/decide';
import { normalizeNumber } from '../app/protection/numbers';
import { RULES } from '../app/protection/rules';
import { loadConfig } from '../app/config';
import { insideCallingHours } from '../app/marketers/calling-hours';
import { basePreferences, DECISION_CASES, type DecisionCase } from './support/protection-cases';

/** What the Decider gives decide(): live consents of the call's account, inside the default calling hours. */
function consentFor(c: DecisionCase, now: number): ((category: string) => boolean) | undefined {
  const account = c.call?.callerAccount;
  if (!account || !c.consents || !insideCallingHours(loadConfig({ DATA_KEY: Buffer.alloc(32).toString('base64') }).marketer.callingHours, now)) return undefined;
  return (category) => c.consents!.some((k) => k.account === account && k.category === category && !k.revoked && !k.expired);
}

const rowCaller = (i: number) => `139${String(i).padStart(8, '0')}`;

DECISION_CASES.forEach((c, i) => {
  test(`decide: ${c.name}`, (t) => {
    const caller = c.caller ?? rowCaller(i);
    const prefs = c.enrolled === false ? null : basePreferences();
    if (prefs && c.prefs) c.prefs(prefs, caller);
    const now = c.call?.at ? Date.parse(c.call.at) : Date.parse('2025-06-13T10:00:00+08:00');
    const labels: LabelHit[] = (c.labels ?? []).map((l) => ({ ...l, source: 'import' }));
    const d = decide({
      caller: normalizeNumber(caller),
      callerIndustry: c.call?.callerIndustry,
      attestation: c.call?.attestation,
      prefs,
      labels,
      facts: { highFrequency: !!c.highFrequency, callBombing: !!c.callBombing, lastStoppedAt: c.repeat ? now - 60_000 : undefined },
      now,
      callerAccount: c.call?.callerAccount,
      consentFor: consentFor(c, now),
    });
    t.deepEqual(d, c.expect);
  });
});

test('every rule of the table has at least one row of its own', (t) => {
  const reasons = new Set(DECISION_CASES.map((c) => c.expect.reason as string));
  for (const r of RULES) {
    if (r.id === 'category') t.true(['category_block', 'category_smart_answer', 'category_verify'].every((x) => reasons.has(x)), 'category modes');
    else t.true(reasons.has(r.id), `no row ends in ${r.id}`);
  }
});

test('a repeat call after the breakthrough minutes is stopped again', (t) => {
  const prefs = basePreferences();
  prefs.options.breakthrough = { enabled: true, withinMinutes: 3 };
  const now = Date.parse(NOW);
  const input = { caller: normalizeNumber('13912340000'), prefs, labels: [{ category: 'loan_finance' as const, confidence: 0.9, source: 'import' as const }], now };
  t.is(decide({ ...input, facts: { highFrequency: false, lastStoppedAt: now - 2 * 60_000 } }).reason, 'breakthrough');
  t.is(decide({ ...input, facts: { highFrequency: false, lastStoppedAt: now - 4 * 60_000 } }).reason, 'category_block');
});
const NOW = '2025-06-13T10:00:00+08:00';

test('docs/decisions.md lists the rules in the order rules.ts applies them', (t) => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'decisions.md'), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- rules -->'), doc.indexOf('<!-- /rules -->'));
  const documented = [...table.matchAll(/^\|\s*\d+\s*\|\s*`([a-z_0-9]+)`/gm)].map((m) => m[1]);
  t.deepEqual(documented, RULES.map((r) => r.id));
});
