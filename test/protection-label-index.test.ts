// The in-process label index against a plain Map of the same labels: after loads, changes, removals and
// merges, every lookup answers the same. And built from a real database, page by page.
import test from 'ava';
import fc from 'fast-check';
import { LABEL_CATEGORIES, type LabelCategory, type LabelSource } from '../app/labels/categories';
import { fromByte, toByte } from '../app/labels/confidence';
import { LabelIndex } from '../app/labels/label-index';
import type { LabelRecord } from '../app/labels/service';
import { numberFromKey, numberKey } from '../app/protection/number-key';
import { BACKENDS, openWorld } from './support/protection-world';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-13T02:00:00Z');

interface Ref {
  category: LabelCategory;
  source: LabelSource;
  confidence: number;
  lastSeen: number;
  expiresAt: number | null;
}

const numbers = ['13800138000', '13800138001', '01012345678', '4008123123', '95588', '+85291234567', '+14155552671', '17012345678', '13912345678', '075561234567'];
const label = fc.record({
  number: fc.constantFrom(...numbers),
  category: fc.constantFrom(...LABEL_CATEGORIES),
  source: fc.constantFrom<LabelSource>('import', 'report', 'operator'),
  confidence: fc.integer({ min: 0, max: 255 }).map(fromByte),
  ageDays: fc.integer({ min: 0, max: 400 }),
  expires: fc.option(fc.integer({ min: -3 * 60, max: 3 * 60 }), { nil: null }), // minutes from now
  tombstone: fc.boolean(),
});
type Gen = typeof label extends fc.Arbitrary<infer T> ? T : never;

function record(g: Gen, version: number): LabelRecord {
  const lastSeen = new Date(Math.floor((NOW - g.ageDays * DAY) / DAY) * DAY);
  return {
    number: g.number,
    category: g.category,
    source: g.source,
    confidence: g.confidence,
    evidenceCount: 1,
    firstSeen: lastSeen,
    lastSeen,
    expiresAt: g.expires === null ? null : new Date(Math.ceil(NOW / 60_000 + g.expires) * 60_000),
    version,
    tombstone: g.tombstone,
  };
}

function lookupRef(ref: Map<string, Map<string, Ref>>, number: string, index: LabelIndex) {
  const byCat = ref.get(number);
  const expected = [...(byCat?.values() ?? [])]
    .filter((l) => l.expiresAt === null || l.expiresAt > NOW)
    .map((l) => ({ category: l.category, source: l.source, confidence: l.confidence * Math.pow(2, -((NOW - l.lastSeen) / DAY) / ({ import: 180, report: 60, behaviour: 3, operator: Infinity } as const)[l.source]) }));
  const got = index.lookup(number, NOW).map((h) => ({ ...h }));
  const sort = (a: { category: string }, b: { category: string }) => a.category.localeCompare(b.category);
  return { expected: expected.sort(sort), got: got.sort(sort) };
}

test('lookups equal a Map of the same labels through loads, changes, removals and merges (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(label, { maxLength: 60 }), fc.array(fc.array(label, { maxLength: 20 }), { maxLength: 4 }), async (initial, rounds) => {
      const ref = new Map<string, Map<string, Ref>>();
      const index = new LabelIndex(null, { mergeAt: 1e9 });
      // The initial build: live labels only, in key order.
      let version = 0;
      const live = initial.filter((g) => !g.tombstone);
      for (const g of live) {
        const r = record(g, ++version);
        if (!ref.has(g.number)) ref.set(g.number, new Map());
        ref.get(g.number)!.set(g.category, { category: g.category, source: g.source, confidence: fromByte(toByte(g.confidence)), lastSeen: r.lastSeen.getTime(), expiresAt: r.expiresAt?.getTime() ?? null });
      }
      const rows = [...ref.entries()]
        .flatMap(([n, m]) => [...m.values()].map((l) => ({ key: numberKey(n), category: l.category, source: l.source, confidence: l.confidence, lastSeenSec: l.lastSeen / 1000, expiresSec: l.expiresAt === null ? 0 : l.expiresAt / 1000 })))
        .sort((a, b) => a.key - b.key);
      index.loadSorted(rows);
      // Every number looked up at the same moment after each step: answers the index remembers for that
      // moment must never outlive a change, an overlay or a merge.
      const agree = (when: string) => {
        for (const n of numbers) {
          const { expected, got } = lookupRef(ref, n, index);
          // Thrown, not asserted: fast-check then shrinks to the smallest history that disagrees.
          const same =
            got.length === expected.length &&
            expected.every((e, k) => got[k].category === e.category && got[k].source === e.source && Math.abs(got[k].confidence - e.confidence) < 1e-9);
          if (!same) throw new Error(`${when}, ${n}: index ${JSON.stringify(got)} ≠ map ${JSON.stringify(expected)}`);
        }
      };
      agree('after the build');
      for (const [i, round] of rounds.entries()) {
        index.apply(round.map((g) => record(g, ++version)));
        for (const g of round) {
          if (!ref.has(g.number)) ref.set(g.number, new Map());
          if (g.tombstone) ref.get(g.number)!.delete(g.category);
          else {
            const r = record(g, 0);
            ref.get(g.number)!.set(g.category, { category: g.category, source: g.source, confidence: fromByte(toByte(g.confidence)), lastSeen: r.lastSeen.getTime(), expiresAt: r.expiresAt?.getTime() ?? null });
          }
        }
        agree(`after round ${i}`);
        if (i % 2 === 1) {
          await index.merge({ nowMs: NOW, checkEvery: 7, sliceMs: 0 }); // tiny slices: the yielding path runs too
          agree(`after the merge of round ${i}`);
        }
      }
      if (index.lookup('13600000000', NOW).length !== 0) throw new Error('an unlabelled number has labels');
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a large random index answers like a Map, keys from the whole numbering plan (property)', (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 13_000_000_000, max: 19_999_999_999 }), { minLength: 1, maxLength: 3000 }), fc.array(fc.integer({ min: 13_000_000_000, max: 19_999_999_999 }), { maxLength: 200 }), (keys, probes) => {
      const sorted = [...keys].sort((a, b) => a - b);
      const index = new LabelIndex(null);
      index.loadSorted(sorted.map((k, i) => ({ key: k, category: LABEL_CATEGORIES[i % LABEL_CATEGORIES.length], source: 'import' as const, confidence: 1, lastSeenSec: NOW / 1000, expiresSec: 0 })));
      const ref = new Map(sorted.map((k, i) => [k, LABEL_CATEGORIES[i % LABEL_CATEGORIES.length]]));
      for (const k of [...keys, ...probes]) {
        const got = index.lookupKey(k, NOW);
        const want = ref.get(k);
        if (want === undefined ? got.length !== 0 : got.length !== 1 || got[0].category !== want) return false;
      }
      return numberFromKey(sorted[0]) === String(sorted[0]);
    }),
    { numRuns: 100 },
  );
  t.pass();
});

for (const backend of BACKENDS) {
  test(`${backend.db}: built page by page from the database, then kept fresh from the feed`, async (t) => {
    const w = await openWorld(backend);
    try {
      const rows = Array.from({ length: 500 }, (_, i) => ({ number: `1380000${String(i).padStart(4, '0')}`, category: LABEL_CATEGORIES[i % 11], confidence: 0.9 }));
      // Several categories on some numbers, so pages must not split a number.
      rows.push(...Array.from({ length: 50 }, (_, i) => ({ number: `1380000${String(i * 7).padStart(4, '0')}`, category: 'one_ring' as const, confidence: 1 })));
      await w.labels.importBatch(rows);
      await w.labels.clear('13800000003');
      const index = new LabelIndex(w.labels, { pollMs: 20 });
      await index.build(37);
      t.is(index.size, 549);
      for (let i = 0; i < 500; i += 13) {
        const n = `1380000${String(i).padStart(4, '0')}`;
        const fromDb = (await w.labels.labelsOf(n)).map((l) => l.category).sort();
        t.deepEqual(index.lookup(n).map((h) => h.category).sort(), fromDb, n);
      }
      index.start();
      await w.labels.importBatch([{ number: '+86 138 0000 0003', category: 'fraud', confidence: 0.9 }]);
      await w.labels.clear('13800000001', 'insurance');
      const until = Date.now() + 5000;
      while (Date.now() < until && (index.lookup('13800000003').length === 0 || index.lookup('13800000001').length !== 0)) await new Promise((r) => setTimeout(r, 20));
      t.deepEqual(index.lookup('13800000003').map((h) => h.category), ['fraud'], 'a new label is seen');
      t.deepEqual(index.lookup('13800000001'), [], 'a removal is seen');
      await index.merge();
      t.deepEqual(index.lookup('13800000003').map((h) => h.category), ['fraud'], 'still there after a merge');
      t.deepEqual(index.lookup('13800000001'), [], 'still gone after a merge');
      await index.stop();
    } finally {
      await w.close();
    }
  });
}
