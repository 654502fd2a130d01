// A scrub answered from the loaded subscriber view (the server's path) says what the database says, for
// every state a subscriber can be in: protection off, paused, the category allowed, refused always,
// refused only inside their night window, customised otherwise; and a consent still wins.
import test from 'ava';
import { DbRefusalSource } from '../app/marketers/refusals';
import { ScrubService } from '../app/marketers/scrub-service';
import type { Preferences } from '../app/protection/preferences';
import { basePreferences } from './support/protection-cases';
import { seedSubscriber, type World } from './support/protection-world';
import { eventually, startHarness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';

const ONE = { id: 'cc-one', secret: 'cc-one-secret-0001' };

const with_ = (f: (p: Preferences) => void): Preferences => {
  const p = basePreferences();
  f(p);
  return p;
};

test('the view answers a scrub as the database does, state by state, inside and outside a night window', async (t) => {
  // Every hour a calling hour, so the night window can be tried.
  const h = await startHarness({ env: { MARKETER_KEYS: `${ONE.id}:${ONE.secret}`, MARKETER_CALLING_HOURS: '00:00-24:00' } });
  t.teardown(() => h.close());
  const one = new CarrierClient(h.server.url, ONE.id, ONE.secret);
  t.teardown(() => one.close());
  const world = { deps: h.deps } as World;
  const states: [string, Preferences | null][] = [
    ['13700000201', basePreferences()],
    ['13700000202', with_((p) => (p.enabled = false))],
    ['13700000203', with_((p) => (p.paused = true))],
    ['13700000204', with_((p) => (p.categoryModes.loan_finance = 'allow'))],
    ['13700000205', with_((p) => (p.options.timeWindows = { mode: 'windows', windows: [{ days: [], start: '22:00', end: '07:00' }] }))],
    ['13700000206', with_((p) => (p.categoryModes.insurance = 'allow'))],
    ['13700000207', null],
    ['13700000208', basePreferences()],
  ];
  for (const [n, p] of states) await seedSubscriber(world, n, p);
  t.true(h.server.services.decider.subscriberView?.ready, 'the server scrubs from its loaded view');
  const consent = { id: 'c-1', number: '13700000208', category: 'loan_finance', grantedAt: new Date(Date.now() - 3_600_000).toISOString(), channel: 'web', evidence: '本人同意（表单 v3）' };
  t.is((await one.post('/marketer/v1/consents', { consents: [consent] })).json.accepted, 1);
  const numbers = [...states.map(([n]) => n), '13600000000', 'nope'];
  const day = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
  const night = `${day}T23:00:00+08:00`;
  const noon = `${day}T12:00:00+08:00`;
  const m = h.server.services.marketers;
  const fromDb = new ScrubService(h.deps, { refusals: new DbRefusalSource(h.deps.db), consents: m.index, watch: m.watch, hours: h.deps.config.marketer.callingHours });
  const expected: Record<string, string[]> = {
    [night]: ['refused', 'no_refusal', 'no_refusal', 'no_refusal', 'refused', 'refused', 'no_refusal', 'consent', 'no_refusal', 'invalid'],
    [noon]: ['refused', 'no_refusal', 'no_refusal', 'no_refusal', 'no_refusal', 'refused', 'no_refusal', 'consent', 'no_refusal', 'invalid'],
  };
  for (const at of [night, noon]) {
    const db = (await fromDb.scrub(ONE.id, 'loan_finance', numbers, Date.parse(at))).map((r) => r.reason);
    t.deepEqual(db, expected[at], `the database at ${at}`);
    // The view follows the writes within moments.
    const api = await eventually(async () => {
      const res = await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers, at });
      const reasons = (res.json as { results: { reason: string }[] }).results.map((r) => r.reason);
      return JSON.stringify(reasons) === JSON.stringify(db) ? reasons : null;
    });
    t.deepEqual(api, db, `the view at ${at}`);
  }
});
