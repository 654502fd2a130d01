// The decision engine end to end on MariaDB + Redis and on SQLite + the in-process store: the decision
// table through real preferences, labels and behaviour; batch equals singles; spellings decide alike;
// preference changes and new labels reach running processes.
import test from 'ava';
import fc from 'fast-check';
import { Decider, type ScreenCall } from '../app/protection/decider';
import { normalizeNumber } from '../app/protection/numbers';
import type { Preferences } from '../app/protection/preferences';
import { createTestStore } from './support/backends';
import { ConsentIndex } from '../app/marketers/consent-index';
import { ConsentService } from '../app/marketers/consent-service';
import { basePreferences, CONSENT_EXPIRED, CONSENT_GRANTED, DECISION_CASES, type DecisionCase } from './support/protection-cases';
import { BACKENDS, changePreferences, eventually, makeDecider, openWorld, seedSubscriber, writePreferences, type World } from './support/protection-world';

const rowCallee = (i: number) => `1370000${String(i).padStart(4, '0')}`;
const rowCaller = (i: number) => `1390000${String(i).padStart(4, '0')}`;
const NOBODY = '13699999999';

for (const backend of BACKENDS) {
  const name = `${backend.db}+${backend.store}`;

  // One world per backend for the table: every row has its own callee and caller.
  let world: World;
  let decider: Decider;
  let consentIndex: ConsentIndex;
  test.before(async () => {
    world = await openWorld(backend);
    // The table's consents, recorded and revoked through the marketer module as the API and chat do.
    consentIndex = new ConsentIndex(world.deps, { retentionMs: 183 * 86_400_000 });
    const consents = new ConsentService(world.deps, consentIndex, async () => undefined);
    for (const [i, c] of DECISION_CASES.entries()) {
      for (const [k, g] of (c.consents ?? []).entries()) {
        const out = await consents.record(g.account, [
          { id: `row${i}-${k}`, number: rowCallee(i), category: g.category, grantedAt: CONSENT_GRANTED, channel: 'web', evidence: 'form v1', expiresAt: g.expired ? CONSENT_EXPIRED : undefined },
        ]);
        if (out.accepted !== 1) throw new Error(`consent of row ${i} not recorded: ${JSON.stringify(out.rejected)}`);
        if (g.revoked) await consents.revoke(0, rowCallee(i), 'all', { actor: 'subscriber', channel: 'wechat' });
      }
    }
    await consentIndex.start();
    const batch: { number: string; category: NonNullable<DecisionCase['labels']>[number]['category']; confidence: number }[] = [];
    for (const [i, c] of DECISION_CASES.entries()) {
      const caller = c.caller ?? rowCaller(i);
      if (c.enrolled !== false) {
        const p = basePreferences();
        c.prefs?.(p, caller);
        await seedSubscriber(world, rowCallee(i), p);
      }
      for (const l of c.labels ?? []) batch.push({ number: caller, ...l });
    }
    await world.labels.importBatch(batch);
    decider = makeDecider(world, { behaviour: { threshold: 20, repeatThreshold: 5, minFlush: 1, flushMs: 60_000 }, consents: consentIndex });
    await decider.start();
  });
  test.after.always(async () => {
    await decider?.stop();
    await consentIndex?.stop();
    await world?.close();
  });

  DECISION_CASES.forEach((c, i) => {
    test.serial(`${name}: ${c.name}`, async (t) => {
      const caller = c.caller ?? rowCaller(i);
      const call: ScreenCall = { caller, callee: rowCallee(i), ...c.call };
      if (c.highFrequency) {
        for (let k = 0; k < 25; k++) await decider.screen({ caller, callee: NOBODY });
        await decider.behaviour.flush();
      }
      if (c.callBombing) for (let k = 0; k < 5; k++) await decider.screen({ caller, callee: rowCallee(i) });
      if (c.repeat) {
        const before = c.call?.at ? new Date(Date.parse(c.call.at) - 60_000).toISOString() : undefined;
        const first = await decider.screen({ ...call, at: before });
        t.not(first.action, 'allow', 'the first call is stopped');
      }
      t.deepEqual(await decider.screen(call), c.expect);
    });
  });

  test.serial(`${name}: a batch answers exactly as the same calls one by one (property)`, async (t) => {
    // Fresh stores for both: neither inherits breakthrough memory from the table above.
    const mine = await createTestStore(backend.store);
    const other = await createTestStore(backend.store);
    const one = makeDecider(world, { behaviour: { threshold: 1e6 } }, mine);
    const two = makeDecider(world, { behaviour: { threshold: 1e6 } }, other);
    await one.start();
    await two.start();
    try {
      const callees = DECISION_CASES.map((_, i) => rowCallee(i)).concat([NOBODY]);
      const callers = DECISION_CASES.map((c, i) => c.caller ?? rowCaller(i));
      const call = fc.record({
        caller: fc.constantFrom(...callers),
        callee: fc.constantFrom(...callees),
        callerIndustry: fc.option(fc.constantFrom('loan_finance', 'insurance', 'fraud', 'pet_food'), { nil: undefined }),
        attestation: fc.option(fc.constantFrom('A' as const, 'B' as const, 'C' as const), { nil: undefined }),
        // Retries of a few call attempts among the rest: a retry answers what its first attempt answered.
        callId: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 40 }), async (generated) => {
          // Ids fresh per run (the memory lasts ten minutes), repeated inside it.
          run++;
          const calls = generated.map((c) => (c.callId ? { ...c, callId: `${run}-${c.callId}` } : c));
          // Both engines with the same labels: other tests of this file write labels (behaviour labels among
          // them) that reach each engine through the feed at its own moment.
          await Promise.all([one.labelIndex.refresh(), two.labelIndex.refresh()]);
          const batch = await one.screenBatch(calls);
          const singles = [];
          for (const c of calls) singles.push(await two.screen(c));
          t.deepEqual(batch, singles);
        }),
        { numRuns: 40 },
      );
    } finally {
      await one.stop();
      await two.stop();
      await mine.close();
      await other.close();
    }
  });

  test.serial(`${name}: every spelling of caller and callee decides alike (property)`, async (t) => {
    const mine = await createTestStore(backend.store);
    const other = await createTestStore(backend.store);
    const plain = makeDecider(world, { behaviour: { threshold: 1e6 } }, mine);
    const spelled = makeDecider(world, { behaviour: { threshold: 1e6 } }, other);
    await plain.start();
    await spelled.start();
    const respell = (n: string, style: number) => {
      if (n.startsWith('+')) return [n, `00${n.slice(1)}`, `${n.slice(0, 4)} ${n.slice(4)}`][style % 3];
      const intl = n.startsWith('0') ? n.slice(1) : n;
      const wide = [...n].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
      const trunk = /^1[3-9]\d{9}$/.test(n) ? `0${n}` : n;
      const ip = /^[0-9]/.test(n) && n.length >= 5 ? `17951${n}` : n;
      return [n, `+86${intl}`, `0086 ${intl}`, `86-${intl}`, `${n.slice(0, 3)}-${n.slice(3)}`, wide, trunk, ip, ip === n ? n : `12593 ${n}`][style % 9];
    };
    try {
      const indices = fc.integer({ min: 0, max: DECISION_CASES.length - 1 });
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(indices, indices, fc.nat(), fc.nat()), { minLength: 1, maxLength: 20 }), async (rows) => {
          for (const [a, b, s1, s2] of rows) {
            const caller = DECISION_CASES[a].caller ?? rowCaller(a);
            const callee = rowCallee(b);
            const expected = await plain.screen({ caller, callee, ...DECISION_CASES[a].call });
            // Respelt from the normal form (a row's caller may itself be an unusual spelling).
            const n = normalizeNumber(caller);
            const base = n.kind === 'invalid' ? caller : n.value;
            const got = await spelled.screen({ caller: respell(base, s1), callee: respell(callee, s2), ...DECISION_CASES[a].call });
            t.deepEqual(got, expected, `${caller} → ${callee}`);
          }
        }),
        { numRuns: 30 },
      );
    } finally {
      await plain.stop();
      await spelled.stop();
      await mine.close();
      await other.close();
    }
  });

  test.serial(`${name}: a preference change committed by one process reaches another's decisions through the change log, announced or not`, async (t) => {
    const a = Decider.create({ ...world.deps, store: await world.openStore() }, { index: { pollMs: 50 } });
    await a.start();
    await a.subscriberViewLoaded();
    try {
      const callee = '13711112222';
      const caller = '13911112222';
      await world.labels.importBatch([{ number: caller, category: 'insurance', confidence: 0.9 }]);
      await a.labelIndex.refresh();
      const p = basePreferences();
      const id = await seedSubscriber(world, callee, p);
      // Polled as dry runs: one caller screened again and again for one callee would be 呼死你.
      const blocked = await eventually(() => a.screen({ caller, callee, dryRun: true }), (d) => d.reason === 'category_block');
      t.like(blocked, { action: 'block', reason: 'category_block' });

      // Written and never announced: the log alone brings it, and no decision read the database.
      const relaxed: Preferences = { ...basePreferences(id), categoryModes: { ...p.categoryModes, insurance: 'allow' }, version: 2 };
      await writePreferences(world, id, relaxed);
      const after = await eventually(() => a.screen({ caller, callee, dryRun: true }), (d) => d.reason === 'default', 1000);
      t.deepEqual(after, { action: 'allow', reason: 'default' });
      t.is(a.preferenceSource.loads, 0);
    } finally {
      await a.stop();
    }
  });

  test.serial(`${name}: an unknown callee costs no database read, and its enrolment is seen within a second`, async (t) => {
    // Twenty calls of one caller to one callee would be 呼死你: counted as such elsewhere, not here.
    const a = makeDecider(world, { behaviour: { repeatThreshold: 1000 } }, await world.openStore());
    await a.start();
    await a.subscriberViewLoaded();
    try {
      const callee = '13733334444';
      const caller = '13933334444';
      await world.labels.importBatch([{ number: caller, category: 'loan_finance', confidence: 0.9 }]);
      await a.labelIndex.refresh();
      for (let i = 0; i < 20; i++) t.like(await a.screen({ caller, callee }), { reason: 'not_enrolled' });
      t.is(a.preferenceSource.loads, 0);
      await seedSubscriber(world, callee, basePreferences());
      const d = await eventually(() => a.screen({ caller, callee }), (x) => x.reason !== 'not_enrolled', 1000);
      t.deepEqual(d, { action: 'block', reason: 'category_block', category: 'loan_finance' });
      t.is(a.preferenceSource.loads, 0);
    } finally {
      await a.stop();
    }
  });

  test.serial(`${name}: a new label and its removal reach a running engine through the feed`, async (t) => {
    const a = makeDecider(world);
    await a.start();
    try {
      const callee = '13755556666';
      const caller = '02155556666';
      await seedSubscriber(world, callee, basePreferences());
      t.like(await a.screen({ caller, callee }), { reason: 'default' });
      await world.labels.importBatch([{ number: '021-5555 6666', category: 'real_estate', confidence: 0.95 }]);
      const labelled = await eventually(() => a.screen({ caller, callee }), (d) => d.reason !== 'default');
      t.deepEqual(labelled, { action: 'block', reason: 'category_block', category: 'real_estate' });
      t.is(await world.labels.clear(caller, 'real_estate'), 1);
      const cleared = await eventually(() => a.screen({ caller, callee }), (d) => d.reason === 'default');
      t.deepEqual(cleared, { action: 'allow', reason: 'default' });
    } finally {
      await a.stop();
    }
  });

  test.serial(`${name}: a caller dialling many numbers across two processes becomes abnormal, without any import`, async (t) => {
    const opts = { behaviour: { threshold: 50, minFlush: 4, flushMs: 60_000 } };
    const a = makeDecider(world, opts, await world.openStore());
    const b = makeDecider(world, opts, await world.openStore());
    await a.start();
    await b.start();
    try {
      const callee = '13777778888';
      const caller = '17077778888';
      await seedSubscriber(world, callee, basePreferences());
      t.like(await a.screen({ caller, callee }), { reason: 'default' });
      // 30 calls through each process (to numbers nobody enrolled): neither alone reaches 50.
      for (let i = 0; i < 30; i++) {
        await a.screen({ caller, callee: `1360000${String(i).padStart(4, '0')}` });
        await b.screen({ caller, callee: `1360001${String(i).padStart(4, '0')}` });
      }
      await a.behaviour.flush();
      t.like(await a.screen({ caller, callee }), { reason: 'default' }, 'one process alone is under the threshold');
      await b.behaviour.flush();
      t.deepEqual(await b.screen({ caller, callee }), { action: 'block', reason: 'high_frequency' });
      // The behaviour label carries it to the other process (and to edge copies through the feed).
      const labels = await eventually(() => world.labels.labelsOf(caller), (l) => l.some((x) => x.category === 'high_frequency'));
      t.like(labels.find((x) => x.category === 'high_frequency'), { source: 'behaviour' });
      const seen = await eventually(() => a.screen({ caller, callee }), (d) => d.reason === 'high_frequency');
      t.deepEqual(seen, { action: 'block', reason: 'high_frequency' });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
}

// Behaviour counted as the calls arrive, retries and dry runs, on both backends.
for (const backend of BACKENDS) {
  const name = `${backend.db}+${backend.store}`;
  let world: World;
  test.before(async () => {
    world = await openWorld(backend);
  });
  test.after.always(async () => {
    await world?.close();
  });

  test.serial(`${name}: all 600 calls of one bomber inside one batch are not all allowed`, async (t) => {
    // The defaults: 100 calls a minute; the shared total is flushed only every minute here, so only
    // counting in the process itself can catch the batch.
    const d = makeDecider(world, { behaviour: { flushMs: 60_000 } }, await world.openStore());
    await d.start();
    try {
      const callees = Array.from({ length: 50 }, (_, i) => `1372000${String(i).padStart(4, '0')}`);
      for (const c of callees) await seedSubscriber(world, c, basePreferences());
      const caller = '17020000001';
      const results = await d.screenBatch(Array.from({ length: 600 }, (_, i) => ({ caller, callee: callees[i % callees.length] })));
      const allowed = results.filter((r) => r.action === 'allow').length;
      // A process counts a caller exactly from its 4th call in the window (minFlush): at most 3 more get through.
      t.true(allowed <= d.behaviour.threshold + 3, `${allowed} of 600 allowed`);
      t.deepEqual(results[599], { action: 'block', reason: 'high_frequency' });
      t.deepEqual(results[0], { action: 'allow', reason: 'default' });
    } finally {
      await d.stop();
    }
  });

  test.serial(`${name}: 呼死你 — one caller ringing one callee again and again is blocked from the threshold on`, async (t) => {
    const d = makeDecider(world, { behaviour: { repeatThreshold: 10, flushMs: 60_000 } }, await world.openStore());
    await d.start();
    try {
      const callee = '13720010001';
      await seedSubscriber(world, callee, basePreferences());
      const caller = '13920010001';
      const answers = [];
      for (let i = 0; i < 14; i++) answers.push((await d.screen({ caller, callee })).reason);
      t.deepEqual(answers.slice(0, 9), Array(9).fill('default'), 'a person calling back a few times rings');
      t.deepEqual(answers.slice(10), Array(4).fill('call_bombing'));
      t.is((await d.screen({ caller, callee: '13720010002' })).reason, 'not_enrolled', 'the pair, not the caller, is flagged');
    } finally {
      await d.stop();
    }
  });

  test.serial(`${name}: a retried screen (same callId) never turns a block into breakthrough, here or in another process`, async (t) => {
    const a = makeDecider(world, {}, await world.openStore());
    const b = makeDecider(world, {}, await world.openStore());
    await a.start();
    await b.start();
    try {
      const callee = '13720020001';
      const caller = '13920020001';
      const p = basePreferences();
      p.options.breakthrough = { enabled: true, withinMinutes: 3 };
      await seedSubscriber(world, callee, p);
      await world.labels.importBatch([{ number: caller, category: 'loan_finance', confidence: 0.9 }]);
      await a.labelIndex.refresh();
      await b.labelIndex.refresh();
      const blocked = { action: 'block', reason: 'category_block', category: 'loan_finance' };
      t.deepEqual(await a.screen({ caller, callee, callId: 'net-1' }), blocked);
      t.deepEqual(await a.screen({ caller, callee, callId: 'net-1' }), blocked, 'retry in the same process');
      t.deepEqual(await b.screen({ caller, callee, callId: 'net-1' }), blocked, 'retry reaching another process');
      t.deepEqual((await a.screenBatch([{ caller, callee, callId: 'net-1' }, { caller, callee, callId: 'net-1' }])).map((d) => d.reason), ['category_block', 'category_block']);
      // A dry run asks without side effects: no stop remembered, so it is not the "first call" of anything.
      const dry = '13920020002';
      await world.labels.importBatch([{ number: dry, category: 'loan_finance', confidence: 0.9 }]);
      await a.labelIndex.refresh();
      t.deepEqual(await a.screen({ caller: dry, callee, dryRun: true }), blocked);
      t.deepEqual(await a.screen({ caller: dry, callee, callId: 'net-3' }), blocked, 'the dry run was not remembered as a stop');
      // The real second call attempt is a repeat call.
      t.deepEqual(await b.screen({ caller, callee, callId: 'net-2' }), { action: 'allow', reason: 'breakthrough' });
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test.serial(`${name}: dry runs and retries are not counted by behaviour protection`, async (t) => {
    const d = makeDecider(world, { behaviour: { threshold: 20, minFlush: 1, flushMs: 60_000 } }, await world.openStore());
    await d.start();
    try {
      const callee = '13720030001';
      await seedSubscriber(world, callee, basePreferences());
      const caller = '17020030001';
      for (let i = 0; i < 40; i++) await d.screen({ caller, callee: `1362003${String(i).padStart(4, '0')}`, dryRun: true });
      for (let i = 0; i < 40; i++) await d.screen({ caller, callee: '13620039999', callId: 'same-attempt' });
      t.deepEqual(await d.screen({ caller, callee }), { action: 'allow', reason: 'default' });
      for (let i = 0; i < 20; i++) await d.screen({ caller, callee: `1362004${String(i).padStart(4, '0')}` });
      t.deepEqual(await d.screen({ caller, callee, dryRun: true }), { action: 'block', reason: 'high_frequency' }, 'a dry run still reads the flag');
    } finally {
      await d.stop();
    }
  });
}
