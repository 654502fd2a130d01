// Number normalisation: every spelling of a number reaches one normal form, and the numeric keys the
// label index sorts by stand for exactly one number each.
import test from 'ava';
import fc from 'fast-check';
import { numberFromKey, numberKey } from '../app/protection/number-key';
import { normalizeNumber, parseListEntry } from '../app/protection/numbers';

const table: [string, string, string][] = [
  // raw, value, kind
  ['13800138000', '13800138000', 'mobile'],
  ['+86 138 0013 8000', '13800138000', 'mobile'],
  ['0086-138-0013-8000', '13800138000', 'mobile'],
  ['8613800138000', '13800138000', 'mobile'],
  ['+86 (138) 0013-8000', '13800138000', 'mobile'],
  ['010-12345678', '01012345678', 'landline'],
  ['+86 10 1234 5678', '01012345678', 'landline'],
  ['0755 6123 4567', '075561234567', 'landline'],
  ['+86 755 61234567', '075561234567', 'landline'],
  ['86 0755 61234567', '075561234567', 'landline'],
  ['400-812-3123', '4008123123', 'service'],
  ['+86 400 812 3123', '4008123123', 'service'],
  ['800 810 8888', '8008108888', 'service'],
  ['95588', '95588', 'service'],
  ['96166', '96166', 'service'],
  ['9501088888', '9501088888', 'service'],
  ['10086', '10086', 'short'],
  ['110', '110', 'short'],
  ['12345', '12345', 'short'],
  ['+852 9123 4567', '+85291234567', 'hmt'],
  ['00852 9123 4567', '+85291234567', 'hmt'],
  ['+853 6123 4567', '+85361234567', 'hmt'],
  ['+886 912 345 678', '+886912345678', 'hmt'],
  ['+1 415 555 2671', '+14155552671', 'international'],
  ['001-415-555-2671', '+14155552671', 'international'],
  ['+44 7911 123456', '+447911123456', 'international'],
  ['12', '12', 'invalid'],
  ['', '', 'invalid'],
  ['anonymous', '', 'invalid'],
  ['+999 123', '+999123', 'invalid'],
  ['1380013800', '1380013800', 'invalid'],
  ['12800138000', '12800138000', 'invalid'],
  ['+86 12', '+8612', 'invalid'],
];

for (const [raw, value, kind] of table) {
  test(`normalizeNumber(${JSON.stringify(raw)}) is ${kind} ${value}`, (t) => {
    t.deepEqual(normalizeNumber(raw), { value, kind });
  });
}

// Spellings other than plain mobiles are classified once and their answers reused: the same answer the
// second time, after many other spellings have pushed them out, and whatever a caller did to the first.
test('a spelling answers the same every time, however many others came between', (t) => {
  const check = (when: string) => {
    for (const [raw, value, kind] of table) t.deepEqual(normalizeNumber(raw), { value, kind }, `${when}: ${raw}`);
  };
  check('first');
  check('again');
  const first = normalizeNumber('400-812-3123') as { value: string; kind: string };
  t.throws(() => {
    first.value = '13800138000';
  });
  for (let i = 0; i < 25_000; i++) normalizeNumber(`0755-${6_000_000 + i}`);
  check('after 25,000 other spellings');
  t.deepEqual(normalizeNumber(`0755-${6_000_000 + 24_999}`), { value: '07556024999', kind: 'landline' });
});

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((a) => a.join(''));
const mobile = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19', '16', '14'), digits(9)).map(([a, b]) => a + b);
const landline = fc.oneof(
  fc.tuple(fc.constantFrom('010', '021', '020', '028'), fc.integer({ min: 2, max: 9 }), digits(7)).map(([a, b, c]) => `${a}${b}${c}`),
  fc.tuple(fc.constantFrom('0755', '0571', '0311', '0871', '0931'), fc.integer({ min: 2, max: 8 }), digits(6)).map(([a, b, c]) => `${a}${b}${c}`),
);
const hotline = fc.tuple(fc.constantFrom('400', '800'), digits(7)).map(([a, b]) => a + b);

/** Ways people and networks write the same national number. */
function spellings(national: string): fc.Arbitrary<string> {
  const international = national.startsWith('0') ? national.slice(1) : national;
  const prefix = fc.constantFrom('', '+86', '+86 ', '0086', '0086-', '86', '+86-');
  const sep = fc.constantFrom('', ' ', '-');
  return fc.tuple(prefix, sep, fc.integer({ min: 1, max: national.length - 1 }), fc.boolean()).map(([p, s, cut, spaced]) => {
    const body = p === '' ? national : international;
    const split = body.slice(0, Math.min(cut, body.length - 1)) + s + body.slice(Math.min(cut, body.length - 1));
    return `${spaced ? ' ' : ''}${p}${split}${spaced ? ' ' : ''}`;
  });
}

test('every spelling of a mainland number normalises to the same value (property)', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(mobile, landline, hotline).chain((n) => fc.tuple(fc.constant(n), spellings(n))),
      ([n, spelled]) => {
        const a = normalizeNumber(n);
        const b = normalizeNumber(spelled);
        return a.kind !== 'invalid' && a.value === n && b.value === a.value && b.kind === a.kind;
      },
    ),
    { numRuns: 2000 },
  );
  t.pass();
});

test('foreign numbers: +, 00 and separators normalise alike (property)', (t) => {
  const hk = fc.tuple(fc.constantFrom('5', '6', '9'), digits(7)).map(([a, b]) => `852${a}${b}`);
  const us = fc.tuple(fc.constantFrom('212', '415', '646'), fc.integer({ min: 2, max: 9 }), digits(6)).map(([a, b, c]) => `1${a}${b}${c}`);
  fc.assert(
    fc.property(fc.oneof(hk, us), fc.constantFrom('+', '00', '+ ', '00 '), fc.constantFrom('', ' ', '-'), (n, p, s) => {
      const plain = normalizeNumber(`+${n}`);
      const spelled = normalizeNumber(`${p}${n.slice(0, 3)}${s}${n.slice(3)}`);
      return plain.value === `+${n}` && spelled.value === plain.value && spelled.kind === plain.kind;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('number keys: one key per normal form, and back again (property)', (t) => {
  const anyNormal = fc.oneof(mobile, landline, hotline, fc.constant('95588'), fc.constant('10086'), fc.tuple(fc.constantFrom('+852', '+1', '+44', '+886'), digits(8)).map(([a, b]) => a + b));
  fc.assert(
    fc.property(anyNormal, anyNormal, (a, b) => {
      const ka = numberKey(a);
      const kb = numberKey(b);
      return Number.isSafeInteger(ka) && numberFromKey(ka) === a && (a === b) === (ka === kb);
    }),
    { numRuns: 3000 },
  );
  t.true(Number.isNaN(numberKey('00123')));
  t.true(Number.isNaN(numberKey('abc')));
  t.not(numberKey('01012345678'), numberKey('1012345678'));
});

test('list entries as subscribers type them', (t) => {
  t.deepEqual(parseListEntry('+86 138-0013-8000'), { ok: true, kind: 'exact', value: '13800138000' });
  t.deepEqual(parseListEntry('400'), { ok: true, kind: 'prefix', value: '400' });
  t.deepEqual(parseListEntry('170*'), { ok: true, kind: 'prefix', value: '170' });
  t.deepEqual(parseListEntry('95'), { ok: true, kind: 'prefix', value: '95' });
  t.deepEqual(parseListEntry('0755', 'prefix'), { ok: true, kind: 'prefix', value: '0755' });
  t.deepEqual(parseListEntry('+86 755*'), { ok: true, kind: 'prefix', value: '0755' });
  t.deepEqual(parseListEntry('+852*'), { ok: true, kind: 'prefix', value: '+852' });
  t.deepEqual(parseListEntry('港澳台'), { ok: true, kind: 'group', value: 'hmt' });
  t.deepEqual(parseListEntry('国际'), { ok: true, kind: 'group', value: 'international' });
  t.deepEqual(parseListEntry('hello'), { ok: false, code: 'bad_number' });
  t.deepEqual(parseListEntry('12', 'exact'), { ok: false, code: 'bad_number' });
});
