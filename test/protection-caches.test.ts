// The two bounded in-process structures of the hot path: the call sketch may overstate a caller's count
// but never understate it (so no abnormal caller escapes exact counting), and the LRU stays within its
// bound while keeping what is used.
import test from 'ava';
import fc from 'fast-check';
import { CallSketch } from '../app/protection/call-sketch';
import { Lru } from '../app/protection/lru';

test('the call sketch never counts a caller lower than it called (property)', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 13_000_000_000, max: 13_000_000_400 }), { maxLength: 3000 }), (calls) => {
      const sketch = new CallSketch(8); // 256 counters per row: collisions on purpose
      const exact = new Map<number, number>();
      for (const k of calls) {
        const n = (exact.get(k) ?? 0) + 1;
        exact.set(k, n);
        if (sketch.add(k) < Math.min(n, 255)) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('a wide sketch counts distinct callers exactly', (t) => {
  const sketch = new CallSketch(20);
  const counts = [1, 2, 3, 5, 8];
  const results = counts.map((c, i) => {
    let last = 0;
    for (let k = 0; k < c; k++) last = sketch.add(17_000_000_000 + i * 7919);
    return last;
  });
  t.deepEqual(results, counts);
});

test('the LRU keeps its bound, keeps entries in use, and reports what it evicts', (t) => {
  const evicted: string[] = [];
  const lru = new Lru<string, number>(3, (k) => evicted.push(k));
  const far = Date.now() + 60_000;
  lru.set('a', 1, far);
  lru.set('b', 2, far);
  lru.set('c', 3, far);
  t.is(lru.get('a', Date.now()), 1); // 'a' is in use
  lru.set('d', 4, far);
  t.is(lru.size, 3);
  t.deepEqual(evicted, ['b'], 'the unused oldest goes, not the used one');
  t.is(lru.get('a', Date.now()), 1);
  lru.set('e', 5, Date.now() - 1);
  t.is(lru.get('e', Date.now()), undefined, 'expired');
  t.true(lru.size <= 3);
});

test('the LRU never holds more than its bound (property)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 400 }), (max, ops) => {
      const lru = new Lru<number, number>(max);
      const far = Date.now() + 60_000;
      for (const [isSet, k] of ops) {
        if (isSet) lru.set(k, k, far);
        else if (lru.get(k, Date.now()) !== undefined && lru.get(k, Date.now()) !== k) return false;
        if (lru.size > max) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass();
});
