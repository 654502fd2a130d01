// Every spelling a network uses for a number reaches the same normal form (property over generated
// spellings): +86 / 0086 / 86, spaces and dashes, full-width digits, a trunk 0 before a mobile, the
// IP-dialling prefixes 12593, 17951, 17911 and 10193. Public-service numbers are recognised however spelt.
import test from 'ava';
import fc from 'fast-check';
import { IP_DIALLING_PREFIXES, normalizeNumber } from '../app/protection/numbers';
import { BUILT_IN_PUBLIC_SERVICE, publicService } from '../app/protection/public-service';

/** Whether any spelling of a number is a public-service number. */
const isPublicServiceNumber = (raw: string) => publicService.isPublicService(normalizeNumber(raw));

type Kind = 'mobile' | 'landline' | 'service' | 'short';
const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));

/** A number in its normal form, with its kind. */
const base: fc.Arbitrary<{ value: string; kind: Kind }> = fc.oneof(
  fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9)).map(([p, d]) => ({ value: p + d, kind: 'mobile' as const })),
  fc.tuple(fc.constantFrom('010', '021', '0755', '0571'), digits(8)).map(([a, d]) => ({ value: (a + d).slice(0, a.length + (a.length === 3 ? 8 : 7)), kind: 'landline' as const })),
  digits(7).map((d) => ({ value: `400${d}`, kind: 'service' as const })),
  digits(3).map((d) => ({ value: `95${d}`, kind: 'service' as const })),
  fc.constantFrom(...BUILT_IN_PUBLIC_SERVICE.keys()).map((v) => ({ value: v, kind: (v.startsWith('96') ? 'service' : 'short') as Kind })),
);

const FULL_WIDTH = (s: string, mask: number) => [...s].map((c, i) => (/\d/.test(c) && (mask >> i % 30) & 1 ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c === '+' && mask & 1 ? '＋' : c)).join('');

function separate(s: string, positions: number[], sep: string): string {
  const cut = new Set(positions.map((p) => 1 + (p % Math.max(1, s.length - 1))));
  return [...s].map((c, i) => (cut.has(i) ? sep + c : c)).join('');
}

/** One spelling of a normal-form number, chosen by `style`. */
function spell(n: { value: string; kind: Kind }, style: { cc: number; trunk: boolean; ip: number; sep: string; cuts: number[]; wide: number }): string {
  let s = n.value;
  const national = n.kind === 'landline' ? n.value.slice(1) : n.value; // after a country code the trunk 0 goes
  const cc = style.cc % 4;
  if (cc === 1) s = `+86${national}`;
  else if (cc === 2) s = `0086${national}`;
  else if (cc === 3) s = `86${national}`;
  else {
    if (style.trunk && n.kind === 'mobile') s = `0${s}`;
    if (style.ip % 5 !== 4) s = IP_DIALLING_PREFIXES[style.ip % 5] + s;
  }
  s = separate(s, style.cuts, style.sep);
  return FULL_WIDTH(s, style.wide);
}

const styleArb = fc.record({
  cc: fc.nat(),
  trunk: fc.boolean(),
  ip: fc.nat(),
  sep: fc.constantFrom('', ' ', '-', ' - ', '　', '－', '—'),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
  wide: fc.nat(),
});

test('every generated spelling normalises to the number itself (property)', (t) => {
  fc.assert(
    fc.property(base, styleArb, (n, style) => {
      const spelt = spell(n, style);
      const got = normalizeNumber(spelt);
      if (got.value !== n.value || got.kind !== n.kind) throw new Error(`${JSON.stringify(spelt)} → ${got.value} (${got.kind}), expected ${n.value} (${n.kind})`);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('the network’s spellings seen in the field', (t) => {
  const rows: [string, string, string][] = [
    ['013800138000', '13800138000', 'mobile'],
    ['+86 013800138000', '13800138000', 'mobile'],
    ['１３８００１３８０００', '13800138000', 'mobile'],
    ['＋８６ １３８－００１３－８０００', '13800138000', 'mobile'],
    ['1795113800138000', '13800138000', 'mobile'],
    ['17911 010 1234 5678', '01012345678', 'landline'],
    ['12593110', '110', 'short'],
    ['1019396110', '96110', 'service'],
    ['0086110', '110', 'short'],
    ['+86110', '110', 'short'],
    // Not an IP prefix: an 11-digit 179… is a mobile as it stands; 17951 alone is a short code.
    ['17951234567', '17951234567', 'mobile'],
    ['17951', '17951', 'short'],
  ];
  for (const [raw, value, kind] of rows) t.deepEqual(normalizeNumber(raw), { value, kind }, raw);
});

test('public-service numbers are recognised in every spelling, and nothing else is', (t) => {
  for (const v of BUILT_IN_PUBLIC_SERVICE.keys()) {
    for (const spelt of [v, `+86${v}`, `0086${v}`, `86 ${v}`, `17951${v}`, `12593 ${v}`, FULL_WIDTH(v, -1)]) t.true(isPublicServiceNumber(spelt), spelt);
  }
  for (const other of ['10086', '96111', '1100', '11', '13800138000', '+1 110', '1101']) t.false(isPublicServiceNumber(other), other);
});
