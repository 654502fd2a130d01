// The subscriber view's loader and change log on each database: a load across many pages in key order, a
// stream of changes folded into the arrays by merges, and a fresh process loading the result all answer
// exactly what the database says, for every subscriber.
import test from 'ava';
import { Decider } from '../app/protection/decider';
import type { Preferences } from '../app/protection/preferences';
import { basePreferences } from './support/protection-cases';
import { BACKENDS, openWorld, seedSubscriber, writePreferences, type World } from './support/protection-world';

const CALLER = '13912345678';
const phoneOf = (i: number) => `1370000${String(i).padStart(4, '0')}`;

for (const b of BACKENDS) {
  const name = `${b.db}+${b.store}`;
  let world: World;
  test.before(async () => {
    world = await openWorld(b);
  });
  test.after.always(async () => {
    await world?.close();
  });

  test.serial(`${name}: loaded over many pages and kept through merges, the view answers for every subscriber what the database says`, async (t) => {
    const n = 300;
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(await seedSubscriber(world, phoneOf(i), { ...basePreferences(), categoryModes: { ...basePreferences().categoryModes } }));
    const opts = { view: { pageSize: 16, mergeAt: 20, pollMs: 50 } };
    const a = Decider.create(world.deps, opts);
    (world.deciders ??= []).push(a);
    await a.start();
    await a.subscriberViewLoaded();
    t.is(a.subscriberView!.size, n);

    // What each subscriber should get for a loan-marketing call, as changes are made.
    const expected = new Map<number, string>(ids.map((_, i) => [i, 'category_block']));
    for (let i = 0; i < n; i += 3) {
      const p: Preferences = basePreferences(ids[i]);
      if (i % 2 === 0) {
        p.paused = true;
        expected.set(i, 'paused');
      } else if (i % 5 === 0) {
        p.enabled = false;
        expected.set(i, 'not_enrolled');
      } else {
        p.categoryModes = { ...p.categoryModes, loan_finance: 'allow' };
        p.rejectList = [{ kind: 'prefix', value: '139' }];
        expected.set(i, 'reject_list_prefix');
      }
      await writePreferences(world, ids[i], { ...p, version: 2 });
    }
    const check = async (d: Decider) => {
      const wrong: string[] = [];
      for (let i = 0; i < n; i++) {
        // Dry runs: one caller asking about every subscriber in turn would otherwise be a robocaller (异常高频).
        const r = await d.screen({ caller: CALLER, callee: phoneOf(i), callerIndustry: 'loan_finance', dryRun: true });
        if (r.reason !== expected.get(i)) wrong.push(`${i}: ${r.reason} ≠ ${expected.get(i)}`);
      }
      return wrong;
    };
    await a.subscriberView!.merge();
    t.deepEqual(await check(a), []);
    t.is(a.preferenceSource.loads, 0);

    // A process starting now loads the same answers from the table.
    const b2 = Decider.create(world.deps, opts);
    await b2.start();
    await b2.subscriberViewLoaded();
    t.deepEqual(await check(b2), []);
    t.is(b2.subscriberView!.size, a.subscriberView!.size);
    await b2.stop();
    await a.stop();
  });
}
