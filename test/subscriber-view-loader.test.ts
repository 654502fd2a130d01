// The subscriber view's loader and change log on each database: a load across many pages in key order, a
// stream of changes folded into the arrays by merges, and a fresh process loading the result all answer
// exactly what the database says, for every subscriber; a phone that left is forgotten however far behind
// the view was when it left.
import test from 'ava';
import { Decider } from '../app/protection/decider';
import { recordSubscriberChange } from '../app/protection/subscriber-changes';
import { PhoneBinding } from '../entities';
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

  test.serial(`${name}: a phone moved to another subscriber who is then deleted, while the view was behind, is forgotten, and can enrol again`, async (t) => {
    const phone = '13700009001';
    const staying = '13700009002';
    const first = await seedSubscriber(world, phone, basePreferences());
    await seedSubscriber(world, staying, basePreferences());
    // Not on the world's list of deciders (seeding would catch it up) and never polling by itself.
    const d = Decider.create(world.deps, { view: { pollMs: 3_600_000 } });
    await d.start();
    await d.subscriberViewLoaded();
    const view = d.subscriberView!;
    const ask = async (callee: string) => (await d.screen({ caller: CALLER, callee, callerIndustry: 'loan_finance', dryRun: true })).reason;
    t.is(await ask(phone), 'category_block');
    const held = view.size;

    // The phone moves to a second subscriber, who is then deleted: the log's last word on the phone names
    // the second subscriber, whom the view never saw holding it, and there is no binding left to read.
    const db = world.deps.db;
    const second = await seedSubscriber(world, '13700009003', basePreferences());
    await db.transaction(async (m) => {
      await m.delete(PhoneBinding, { subscriberId: first });
      await m.delete(PhoneBinding, { subscriberId: second });
      await m.insert(PhoneBinding, { subscriberId: second, phoneHash: world.deps.vault.lookupHash(phone), phoneCipher: world.deps.vault.encrypt(phone), source: 'wechat', verifiedAt: new Date() });
      await recordSubscriberChange(m, second);
      await recordSubscriberChange(m, first);
    });
    await db.transaction(async (m) => {
      await m.delete(PhoneBinding, { subscriberId: second });
      await recordSubscriberChange(m, second);
    });
    await view.refresh();
    t.is(await ask(phone), 'not_enrolled');
    t.is(await ask(staying), 'category_block');
    t.is(view.size, held - 1);
    await view.merge();
    t.is(await ask(phone), 'not_enrolled');
    t.is(view.size, held - 1);

    // Enrolled again by someone else: found again, before and after a merge.
    await seedSubscriber(world, phone, { ...basePreferences(), paused: true });
    await view.refresh();
    t.is(await ask(phone), 'paused');
    await view.merge();
    t.is(await ask(phone), 'paused');
    t.is(view.size, held);
    t.is(d.preferenceSource.loads, 0);
    await d.stop();
  });

  test.serial(`${name}: a binding whose seal does not open costs that one phone, not the view's readiness`, async (t) => {
    const good = '13700009101';
    const broken = '13700009102';
    await seedSubscriber(world, good, basePreferences());
    const id = await seedSubscriber(world, broken, basePreferences());
    await world.deps.db.getRepository(PhoneBinding).update({ subscriberId: id }, { phoneCipher: Buffer.alloc(40, 7).toString('base64') });
    const d = Decider.create(world.deps, { view: { pollMs: 3_600_000 } });
    await d.start();
    await d.subscriberViewLoaded();
    t.true(d.subscriberViewReady);
    const ask = async (callee: string) => (await d.screen({ caller: CALLER, callee, callerIndustry: 'loan_finance', dryRun: true })).reason;
    t.is(await ask(good), 'category_block');
    t.is(await ask(broken), 'not_enrolled');
    await d.stop();
  });
}
