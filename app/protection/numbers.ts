// Telephone numbers in one normal form, so that every spelling of a number (+86 138 0013 8000,
// 0086-13800138000, 8613800138000) finds the same labels, list entries and preferences.
//
// Chinese numbers follow the national numbering plan directly (fast, and it decides on the hot path);
// numbers under any other country code go through libphonenumber-js, which knows the world's plans.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type NumberKind = 'mobile' | 'landline' | 'service' | 'short' | 'international' | 'hmt' | 'invalid';

export interface NormalizedNumber {
  /** mobile: 11 digits · landline: '0' + area code + local · service/short: digits · hmt/international: E.164 */
  value: string;
  kind: NumberKind;
}

/** Hong Kong, Macao and Taiwan (港澳台): a group of their own on reject lists. */
const HMT_CODES = new Set(['852', '853', '886']);

const MOBILE = /^1[3-9]\d{9}$/;
// 010 and 02x carry two-digit area codes, every other area code has three digits after the trunk 0;
// local numbers are 7–8 digits, down to 5 for local service lines (021-962288).
const LANDLINE = /^0(?:10|2\d|[3-9]\d{2})\d{5,8}$/;
const HOTLINE = /^[48]00\d{7}$/; // 400 enterprise hotlines, 800 toll-free
const SERVICE_95_96 = /^9[56]\d{3,8}$/; // 95xxx / 96xxx, 950xx / 951xx… call-centre numbers
const SHORT = /^1\d{2,7}$/; // 110, 12345, 10086, 1010xxxx
// Spaces, dashes of every width, brackets and dots, after NFKC has folded full-width forms to ASCII.
const SEPARATORS = /[\s\-().·（）\u2010-\u2015\u2212\u30fc]/g;
/**
 * IP-dialling prefixes (IP 长途): a network may present the caller with the long-distance carrier's access
 * code still in front (17951 13800138000). They are stripped when what follows is itself a number.
 */
export const IP_DIALLING_PREFIXES = ['12593', '17951', '17911', '10193'] as const;
const INVALID_PLAIN: NormalizedNumber = Object.freeze({ value: '', kind: 'invalid' }) as NormalizedNumber;

function invalid(digits: string): NormalizedNumber {
  return digits === '' ? INVALID_PLAIN : { value: digits, kind: 'invalid' };
}

/**
 * A national number as dialled inside China (no country code). `afterCountryCode`: it followed +86, so an
 * area code arrives without its trunk 0 (+86 755 … is 0755 …).
 */
function classifyDomestic(n: string, afterCountryCode: boolean): NormalizedNumber {
  const c = n.charCodeAt(0);
  if (c === 49 /* 1 */) {
    if (n.length === 11) return MOBILE.test(n) ? { value: n, kind: 'mobile' } : invalid(n);
    if (afterCountryCode && n.length === 10 && n.charCodeAt(1) === 48 /* 10: Beijing */) return { value: `0${n}`, kind: 'landline' };
    return SHORT.test(n) ? { value: n, kind: 'short' } : invalid(n);
  }
  if (c === 48 /* 0 */) {
    if (LANDLINE.test(n)) return { value: n, kind: 'landline' };
    // A trunk 0 before a mobile (013800138000): no area code starts 01 but 010, so this is never a landline.
    if (n.length === 12 && MOBILE.test(n.slice(1))) return { value: n.slice(1), kind: 'mobile' };
    return invalid(n);
  }
  if (HOTLINE.test(n) || SERVICE_95_96.test(n)) return { value: n, kind: 'service' };
  if (afterCountryCode && LANDLINE.test(`0${n}`)) return { value: `0${n}`, kind: 'landline' };
  return invalid(n);
}

// International parsing costs microseconds; foreign callers repeat, so the answers are remembered.
const foreignCache = new Map<string, NormalizedNumber>();
const FOREIGN_CACHE_MAX = 20_000;

function classifyForeign(digits: string): NormalizedNumber {
  const hit = foreignCache.get(digits);
  if (hit) return hit;
  const p = parsePhoneNumberFromString(`+${digits}`);
  let r: NormalizedNumber;
  if (!p || !p.isPossible()) r = invalid(`+${digits}`);
  else r = { value: p.number, kind: HMT_CODES.has(p.countryCallingCode) ? 'hmt' : 'international' };
  if (foreignCache.size >= FOREIGN_CACHE_MAX) foreignCache.clear();
  foreignCache.set(digits, r);
  return r;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** Digits after an international prefix (+ or 00): China goes through the national plan. */
function fromInternational(digits: string): NormalizedNumber {
  if (digits.startsWith('86')) {
    const r = classifyDomestic(digits.slice(2), true);
    return r.kind === 'invalid' ? invalid(`+${digits}`) : r;
  }
  return classifyForeign(digits);
}

// Callers that are not plain mobiles (marketers' 400 lines, landlines, service numbers, foreign numbers)
// ring many callees: each spelling is classified once (regular expressions, NFKC) and its frozen answer
// reused. Plain mobiles, nearly all callees and unique, are classified faster than a lookup and not kept.
const normalized = new Map<string, NormalizedNumber>();
const NORMALIZED_MAX = 20_000;
const NORMALIZED_MAX_LENGTH = 32;

function isPlainMobile(s: string): boolean {
  if (s.length !== 11 || s.charCodeAt(0) !== 49) return false;
  const c = s.charCodeAt(1);
  return c >= 51 && c <= 57 && isDigits(s);
}

/**
 * Normalises any spelling of a number. Never throws: what cannot be a number comes back as kind 'invalid'
 * (its digits kept, for the malformed-caller rule and for logs).
 */
export function normalizeNumber(raw: string): NormalizedNumber {
  if (typeof raw !== 'string') return INVALID_PLAIN;
  if (isPlainMobile(raw)) return { value: raw, kind: 'mobile' };
  if (raw.length > NORMALIZED_MAX_LENGTH) return classify(raw);
  let r = normalized.get(raw);
  if (r !== undefined) return r;
  r = Object.freeze(classify(raw));
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  normalized.set(raw, r);
  return r;
}

function classify(raw: string): NormalizedNumber {
  // The network sends clean digits almost always: that path must not allocate or run a regex replace.
  let s = raw;
  if (!isDigits(s)) {
    // NFKC folds full-width digits and signs (１３８… ＋８６) into ASCII.
    s = s.normalize('NFKC').trim().replace(SEPARATORS, '');
    if (s.startsWith('+')) {
      const rest = s.slice(1);
      return isDigits(rest) ? fromInternational(rest) : invalid(s.replace(/[^\d+]/g, ''));
    }
    if (!isDigits(s)) return invalid(s.replace(/\D/g, ''));
  }
  // Digits only from here: 1[3-9] and eleven digits is a mobile, no regex needed.
  if (s.length === 11 && s.charCodeAt(0) === 49 && s.charCodeAt(1) >= 51) return { value: s, kind: 'mobile' };
  if (s.startsWith('00')) return s.length > 4 ? fromInternational(s.slice(2)) : invalid(s);
  if (s.length > 5 && s.charCodeAt(0) === 49) {
    const ip = stripIpPrefix(s);
    if (ip) return ip;
  }
  // "86…" without a plus: no national number starts with 86 (800 hotlines are caught first), so it can
  // only be the country code.
  if (s.startsWith('86') && !HOTLINE.test(s)) {
    const r = classifyDomestic(s.slice(2), true);
    return r.kind === 'invalid' ? invalid(s) : r;
  }
  return classifyDomestic(s, false);
}

/** The number behind an IP-dialling prefix, when the rest is a number of its own; undefined otherwise. */
function stripIpPrefix(s: string): NormalizedNumber | undefined {
  for (const p of IP_DIALLING_PREFIXES) {
    if (!s.startsWith(p)) continue;
    const r = classify(s.slice(p.length));
    return r.kind === 'invalid' ? undefined : r;
  }
  return undefined;
}

/** Whether a normalised number is a Chinese one (the national plan, not a foreign country code). */
export function isDomestic(kind: NumberKind): boolean {
  return kind === 'mobile' || kind === 'landline' || kind === 'service' || kind === 'short';
}

export type ListEntryParse =
  | { ok: true; kind: 'exact' | 'prefix' | 'group'; value: string }
  | { ok: false; code: 'bad_number' };

const GROUP_WORDS: Record<string, 'international' | 'hmt'> = {
  international: 'international',
  国际: 'international',
  境外: 'international',
  hmt: 'hmt',
  港澳台: 'hmt',
};

/**
 * What a subscriber types for a list entry: a number (exact), a number segment ending in '*' or written as
 * a short digit run such as 400, 95, 170, 0755 (prefix), or a group name (国际/international, 港澳台/hmt).
 * Returns the normal form stored in list_entry.value.
 */
export function parseListEntry(raw: string, kindHint?: 'exact' | 'prefix' | 'group'): ListEntryParse {
  const text = (raw ?? '').trim();
  const group = GROUP_WORDS[text.toLowerCase()];
  if (group && kindHint !== 'exact' && kindHint !== 'prefix') return { ok: true, kind: 'group', value: group };
  if (kindHint === 'group') return { ok: false, code: 'bad_number' };
  const star = text.endsWith('*');
  let body = (star ? text.slice(0, -1) : text).replace(SEPARATORS, '');
  const wantsPrefix = kindHint === 'prefix' || star;
  if (!wantsPrefix) {
    const n = normalizeNumber(body);
    if (n.kind !== 'invalid') return { ok: true, kind: 'exact', value: n.value };
    if (kindHint === 'exact') return { ok: false, code: 'bad_number' };
  }
  // A segment: digits, optionally after a country code (+86 170 is the domestic segment 170).
  let plus = false;
  if (body.startsWith('+')) {
    plus = true;
    body = body.slice(1);
  } else if (body.startsWith('00') && body.length > 2) {
    plus = true;
    body = body.slice(2);
  }
  if (!isDigits(body) || body.length > 12) return { ok: false, code: 'bad_number' };
  if (plus) {
    if (!body.startsWith('86')) return { ok: true, kind: 'prefix', value: `+${body}` };
    body = body.slice(2);
    if (body === '') return { ok: false, code: 'bad_number' };
    // +86 755 is the area code 0755: after a country code the trunk 0 is left out.
    if (/^[2-35-79]/.test(body) && !/^9[56]/.test(body)) body = `0${body}`;
  }
  return { ok: true, kind: 'prefix', value: body };
}
