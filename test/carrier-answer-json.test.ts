// The screen answers are JSON text the server writes itself (app/carrier/decision-json.ts): whatever an
// engine puts in a decision, the network reads valid JSON with the contract's fields and nothing else,
// and the engine's own decisions read exactly as JSON.stringify would write them.
import test from 'ava';
import type { ScreenService } from '../app/carrier/ports';
import type { Decision } from '../app/carrier/schemas';
import { batchJson, decisionJson } from '../app/carrier/decision-json';
import { decision } from '../app/protection/rules';
import { startCarrierServer } from './support/carrier-server';

const HOSTILE = [
  'quote " and backslash \\ and slash /',
  'control \u0000\u0001\u001f\b\f\n\r\t end',
  'line separators \u2028\u2029',
  'lone surrogates \ud800 and \udfff',
  '</script><script>alert(1)</script>',
  '"},{"action":"allow","reason":"injected',
  '中文 理由 😀',
  '',
];

// An engine that answers whatever strings it is given, with fields the contract does not have.
function hostileEngine(): ScreenService {
  const answer = (caller: string, i: number): Decision => ({ action: 'block', reason: HOSTILE[i % HOSTILE.length], category: caller, internal: { secret: 1 } }) as unknown as Decision;
  return {
    screen: async (call) => answer(call.caller, Number(call.callee.slice(-1))),
    screenBatch: async (calls) => calls.map((c, i) => answer(c.caller, i)),
  };
}

const expected = (caller: string, i: number) => ({ action: 'block', reason: HOSTILE[i % HOSTILE.length], category: caller });

test('hostile strings in a decision reach the network as valid JSON, only the contract’s fields', async (t) => {
  const s = await startCarrierServer({ db: 'sqlite', store: 'memory', screen: hostileEngine() });
  t.teardown(() => s.close());
  const c = s.client();
  for (let i = 0; i < HOSTILE.length; i++) {
    const caller = `4001${i}`;
    const r = await c.post('/carrier/v1/screen', { caller, callee: `1380013800${i}` });
    t.is(r.status, 200);
    t.is(r.headers['content-type'], 'application/json; charset=utf-8');
    t.deepEqual(r.json, expected(caller, i), HOSTILE[i]);
  }
  const calls = HOSTILE.map((_, i) => ({ caller: `4002${i}`, callee: '13800138000' }));
  const batch = await c.post('/carrier/v1/screen/batch', { calls });
  t.is(batch.status, 200);
  t.is(batch.headers['content-type'], 'application/json; charset=utf-8');
  t.deepEqual(batch.json, { results: calls.map((call, i) => expected(call.caller, i)) });
  const empty = await c.post('/carrier/v1/screen/batch', { calls: [] });
  t.is(empty.text, '{"results":[]}');
});

test('the engine’s own decisions are written as JSON.stringify writes them, and another engine’s later changes are not remembered', (t) => {
  const own = [decision('allow', 'default'), decision('block', 'fraud', 'fraud'), decision('smart_answer', 'category_smart_answer', 'insurance'), decision('allow', 'time_window', 'loan_finance')];
  for (const d of own) {
    t.is(decisionJson(d), JSON.stringify(d));
    t.is(decisionJson(d), JSON.stringify(d), 'the second time, from the cache');
  }
  t.is(batchJson(own), JSON.stringify({ results: own }));
  const foreign = { action: 'allow', reason: 'first' } as Decision;
  t.is(decisionJson(foreign), '{"action":"allow","reason":"first"}');
  (foreign as { reason: string }).reason = 'changed';
  t.is(decisionJson(foreign), '{"action":"allow","reason":"changed"}');
});
