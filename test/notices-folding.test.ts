// The folding rules and the wording, as properties over arbitrary bursts, clocks and texts.
import test from 'ava';
import fc from 'fast-check';
import { describeInterception, keyword } from '../app/notices/describe';
import { advance, place, type FoldState } from '../app/notices/folding';
import { quietUntil, shanghaiTime } from '../app/notices/quiet-hours';
import { render } from '../app/notices/render';
import { defaultNotices, type NoticeSettings } from '../app/protection/preferences';
import type { Interception } from '../entities/Interception';

const MIN = 60_000;
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const instant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) });
const localMinute = (t: number) => Math.floor((((t + 8 * 3600_000) % 86_400_000) + 86_400_000) % 86_400_000 / MIN);
const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

test('quiet hours: inside exactly when the Shanghai clock is in [start, end), and the end is the next time the clock shows `end`', (t) => {
  fc.assert(
    fc.property(instant, hhmm, hhmm, (at, start, end) => {
      const until = quietUntil(new Date(at), { start, end });
      const m = localMinute(at);
      const s = toMin(start);
      const e = toMin(end);
      const inside = s === e ? false : s < e ? m >= s && m < e : m >= s || m < e;
      if (!inside) return until === null;
      if (!until) return false;
      const wait = until.getTime() - at;
      return wait > 0 && wait <= 86_400_000 && localMinute(until.getTime()) === e && until.getTime() % MIN === 0 && quietUntil(until, { start, end }) === null;
    }),
  );
  t.is(quietUntil(new Date('2026-03-02T15:00:00Z'), { start: '22:00', end: '07:00' })?.toISOString(), '2026-03-02T23:00:00.000Z');
  t.is(quietUntil(new Date('2026-03-02T23:00:00Z'), { start: '22:00', end: '07:00' }), null);
  t.is(shanghaiTime(new Date('2026-03-02T16:05:00Z')), '2026-03-03 00:05');
});

const arrivals = fc.array(fc.integer({ min: 0, max: 5 * 3600_000 }), { minLength: 1, maxLength: 60 }).map((xs) => xs.sort((a, b) => a - b));

function simulate(settings: NoticeSettings, start: number, offsets: number[]) {
  let state: FoldState = { lastDueAt: null, open: null };
  const notices: { kind: string; dueAt: number; items: number }[] = [];
  for (const o of offsets) {
    const now = new Date(start + o);
    // A digest is sent when due; from then on it takes no more calls.
    if (state.open && notices[notices.length - 1].dueAt <= start + o) state = { ...state, open: null };
    const p = place(state, settings, now, MIN);
    if (p.join) notices[notices.length - 1].items++;
    else notices.push({ kind: p.kind, dueAt: p.dueAt.getTime(), items: 1 });
    state = advance(state, p);
  }
  return notices;
}

test('per call: the first call of a burst alone and at once; then at most one notice per window; every call in exactly one notice', (t) => {
  fc.assert(
    fc.property(instant, arrivals, fc.integer({ min: 1, max: 180 }), (start, offsets, minutes) => {
      const s: NoticeSettings = { ...defaultNotices(), mode: 'per_call', digestMinutes: minutes };
      const notices = simulate(s, start, offsets);
      if (notices[0].kind !== 'intercept' || notices[0].dueAt !== start + offsets[0]) return false;
      if (notices.reduce((n, x) => n + x.items, 0) !== offsets.length) return false;
      for (const n of notices) if (n.kind === 'intercept' && n.items !== 1) return false;
      for (let i = 1; i < notices.length; i++) if (notices[i].dueAt - notices[i - 1].dueAt < minutes * MIN) return false;
      return true;
    }),
  );
  t.pass();
});

test('digest mode: only digests, each at least a window after the previous', (t) => {
  fc.assert(
    fc.property(instant, arrivals, fc.integer({ min: 1, max: 180 }), (start, offsets, minutes) => {
      const notices = simulate({ ...defaultNotices(), mode: 'digest', digestMinutes: minutes }, start, offsets);
      return notices.every((n, i) => n.kind === 'digest' && (i === 0 || n.dueAt - notices[i - 1].dueAt >= minutes * MIN)) && notices[0].dueAt === start + offsets[0] + minutes * MIN;
    }),
  );
  t.pass();
});

test('quiet hours: nothing is ever due inside them', (t) => {
  fc.assert(
    fc.property(instant, arrivals, fc.integer({ min: 1, max: 120 }), fc.tuple(hhmm, hhmm), fc.constantFrom<'per_call' | 'digest'>('per_call', 'digest'), (start, offsets, minutes, [qs, qe], mode) => {
      const s: NoticeSettings = { ...defaultNotices(), mode, digestMinutes: minutes, quietHours: { start: qs, end: qe } };
      return simulate(s, start, offsets).every((n) => quietUntil(new Date(n.dueAt), s.quietHours) === null);
    }),
  );
  t.pass();
});

const interception = (o: Partial<Interception>): Interception =>
  ({ id: 1, action: 'block', reason: 'category_block', category: 'loan_finance', outcome: null, at: new Date('2026-03-02T04:00:00Z'), ...o }) as Interception;

test('every template keyword stays within WeChat rules (≤ 20 characters, no line breaks) whatever the network says', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 500, unit: 'grapheme' }), fc.integer({ min: 1, max: 5000 }), (summary, count) => {
      const items = Array.from({ length: Math.min(count, 5) }, () => ({ interception: interception({ action: 'smart_answer', outcome: summary.trim() ? { action: 'smart_answer', summary } : null }), caller: '4001234567' }));
      for (const kind of ['intercept', 'digest'] as const) {
        const r = render({ notice: { id: 1, kind, history: [] }, items, masked: '139****0000', digestMinutes: 60 }, new Date());
        for (const v of Object.values(r.template.data)) if ([...v.value].length > 20 || /[\r\n]/.test(v.value)) return false;
      }
      return true;
    }),
  );
  t.is(keyword('第一行\n第二行'), '第一行 第二行');
  t.is(describeInterception(interception({ action: 'verify', reason: 'category_verify', outcome: { action: 'verify', verification: 'passed' } })), '来电验证已通过，已接通');
  t.is(describeInterception(interception({ category: null, reason: 'one_ring' })), '响一声来电');
  t.is(describeInterception(interception({ category: null, reason: 'something_new' })), '骚扰电话');
});
