// The decision table's test rows, one per rule and per precedence conflict, written once and run twice:
// against the pure decide() and through the real Decider on each database and store.
import type { ScreenCall } from '../../app/protection/decider';
import type { Decision } from '../../app/protection/decide';
import type { LabelCategory } from '../../app/labels/categories';
import {
  defaultBehaviour,
  defaultCategoryModes,
  defaultNotices,
  defaultOptions,
  type CategoryCode,
  type Preferences,
} from '../../app/protection/preferences';

export interface DecisionCase {
  name: string;
  /** false: the callee has no binding at all. */
  enrolled?: boolean;
  /** Adjusts the protective default of an enabled subscriber; `caller` is this row's caller. */
  prefs?: (p: Preferences, caller: string) => void;
  /** Caller's labels (imported, as of the call). */
  labels?: { category: LabelCategory; confidence: number }[];
  /** The caller: a fixed number, or (absent) a number unique to the row. */
  caller?: string;
  call?: Omit<Partial<ScreenCall>, 'caller' | 'callee'>;
  /** The caller has been dialling at an abnormal rate. */
  highFrequency?: boolean;
  /** 呼死你: the caller has rung this callee again and again. */
  callBombing?: boolean;
  /** The same caller was stopped for this callee a minute earlier. */
  repeat?: boolean;
  /** Consents of the callee marketers hold (granted 2025-01-01; `expired` ended 2025-02-01). */
  consents?: { account: string; category: CategoryCode; revoked?: boolean; expired?: boolean }[];
  expect: Decision;
}

export const CONSENT_GRANTED = '2025-01-01T00:00:00Z';
export const CONSENT_EXPIRED = '2025-02-01T00:00:00Z';

export function basePreferences(subscriberId = 1): Preferences {
  return {
    subscriberId,
    enabled: true,
    paused: false,
    categoryModes: defaultCategoryModes(),
    behaviour: defaultBehaviour(),
    notices: defaultNotices(),
    options: defaultOptions(),
    rejectList: [],
    allowList: [],
    version: 1,
  };
}

const allowAll = (p: Preferences) => {
  for (const c of Object.keys(p.categoryModes) as (keyof Preferences['categoryModes'])[]) if (c !== 'fraud') p.categoryModes[c] = 'allow';
};
const breakthroughOn = (p: Preferences) => {
  p.options.breakthrough = { enabled: true, withinMinutes: 3 };
};
const nightOnly = (p: Preferences) => {
  p.options.timeWindows = { mode: 'windows', windows: [{ days: [], start: '22:00', end: '07:00' }] };
};

// 2025-06-13 is a Friday. Times in China Standard Time.
export const NOON = '2025-06-13T12:00:00+08:00';
export const LATE_EVENING = '2025-06-13T23:00:00+08:00';
export const SATURDAY_3AM = '2025-06-14T03:00:00+08:00';
export const SATURDAY_NOON = '2025-06-14T12:00:00+08:00';

const loan = { category: 'loan_finance' as const, confidence: 0.9 };
const fraud = { category: 'fraud' as const, confidence: 0.8 };

const rejectSelf = (p: Preferences, c: string) => void p.rejectList.push({ kind: 'exact', value: c });

export const DECISION_CASES: DecisionCase[] = [
  // Public-service numbers: the first row, beating everything anyone said or saw
  { name: '110 rings a callee who is not enrolled (public service)', caller: '110', enrolled: false, expect: { action: 'allow', reason: 'public_service' } },
  { name: '110 on the reject list and labelled fraud still rings', caller: '110', prefs: rejectSelf, labels: [fraud], expect: { action: 'allow', reason: 'public_service' } },
  { name: '119 with attestation C is not blocked as spoofed', caller: '119', call: { attestation: 'C' }, expect: { action: 'allow', reason: 'public_service' } },
  { name: 'a reject segment 96 leaves 96110 out', caller: '96110', prefs: (p) => void p.rejectList.push({ kind: 'prefix', value: '96' }), expect: { action: 'allow', reason: 'public_service' } },
  { name: 'a reject segment 96 still blocks another 96 number', caller: '96123', prefs: (p) => void p.rejectList.push({ kind: 'prefix', value: '96' }), expect: { action: 'block', reason: 'reject_list_prefix' } },
  { name: '12381 while paused is public service, not paused', caller: '12381', prefs: (p) => void (p.paused = true), expect: { action: 'allow', reason: 'public_service' } },
  { name: '12345 with a high-frequency history and a marketing industry rings', caller: '12345', highFrequency: true, call: { callerIndustry: 'loan_finance' }, expect: { action: 'allow', reason: 'public_service' } },
  { name: '110 presented as 0086110 is public service', caller: '0086110', call: { attestation: 'C' }, expect: { action: 'allow', reason: 'public_service' } },
  { name: '120 behind an IP-dialling prefix (17951120) is public service', caller: '17951120', expect: { action: 'allow', reason: 'public_service' } },
  { name: '12110 spelt +86 12110 is public service', caller: '+86 12110', labels: [fraud], expect: { action: 'allow', reason: 'public_service' } },

  // Enrolment and pause
  { name: 'callee not enrolled → allow', enrolled: false, labels: [fraud], expect: { action: 'allow', reason: 'not_enrolled' } },
  { name: 'bound but protection off → allow', prefs: (p) => void (p.enabled = false), labels: [fraud], expect: { action: 'allow', reason: 'not_enrolled' } },
  { name: 'paused beats a fraud label → allow', prefs: (p) => void (p.paused = true), labels: [fraud], expect: { action: 'allow', reason: 'paused' } },
  { name: 'nothing known about the caller → default allow', expect: { action: 'allow', reason: 'default' } },

  // Allow list
  {
    name: 'allow list beats reject list',
    prefs: (p, c) => {
      p.allowList.push({ kind: 'exact', value: c });
      p.rejectList.push({ kind: 'exact', value: c });
    },
    expect: { action: 'allow', reason: 'allow_list' },
  },
  { name: 'allow list (segment) beats a fraud label', prefs: (p, c) => void p.allowList.push({ kind: 'prefix', value: c.slice(0, 7) }), labels: [fraud], expect: { action: 'allow', reason: 'allow_list' } },
  { name: 'spoofed +86 beats the allow list', prefs: (p, c) => void p.allowList.push({ kind: 'exact', value: c }), call: { attestation: 'C' }, expect: { action: 'block', reason: 'spoofed_plus86' } },
  { name: 'allow list beats abnormal frequency', prefs: (p, c) => void p.allowList.push({ kind: 'exact', value: c }), highFrequency: true, expect: { action: 'allow', reason: 'allow_list' } },
  { name: 'allow list, fully attested, beats a fraud label', prefs: (p, c) => void p.allowList.push({ kind: 'exact', value: c }), labels: [fraud], call: { attestation: 'A' }, expect: { action: 'allow', reason: 'allow_list' } },

  // Reject list
  { name: 'reject list, exact number', prefs: (p, c) => void p.rejectList.push({ kind: 'exact', value: c }), expect: { action: 'block', reason: 'reject_list_exact' } },
  {
    name: 'reject list: exact beats segment',
    prefs: (p, c) => {
      p.rejectList.push({ kind: 'prefix', value: c.slice(0, 3) });
      p.rejectList.push({ kind: 'exact', value: c });
    },
    expect: { action: 'block', reason: 'reject_list_exact' },
  },
  { name: 'reject list, number segment 400', caller: '4008123123', prefs: (p) => void p.rejectList.push({ kind: 'prefix', value: '400' }), expect: { action: 'block', reason: 'reject_list_prefix' } },
  { name: 'reject list, landline area code 0755', caller: '075561234567', prefs: (p) => void p.rejectList.push({ kind: 'prefix', value: '0755' }), expect: { action: 'block', reason: 'reject_list_prefix' } },
  { name: 'reject list, group 港澳台', caller: '+85291234567', prefs: (p) => void p.rejectList.push({ kind: 'group', value: 'hmt' }), expect: { action: 'block', reason: 'reject_list_group' } },
  { name: 'reject list, group international does not take 港澳台', caller: '+85291234568', prefs: (p) => void p.rejectList.push({ kind: 'group', value: 'international' }), expect: { action: 'allow', reason: 'default' } },
  { name: 'reject list, group international', caller: '+14155552671', prefs: (p) => void p.rejectList.push({ kind: 'group', value: 'international' }), expect: { action: 'block', reason: 'reject_list_group' } },
  { name: 'reject list beats the category allowed', prefs: (p, c) => (allowAll(p), void p.rejectList.push({ kind: 'exact', value: c })), labels: [loan], expect: { action: 'block', reason: 'reject_list_exact' } },

  // Fraud and spoofing: beyond the subscriber's reach
  { name: 'fraud label → block', labels: [fraud], expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'fraud beats the subscriber allowing the category', prefs: allowAll, labels: [loan, fraud], expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'fraud is blocked outside time windows too', prefs: nightOnly, labels: [fraud], call: { at: NOON }, expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'a weak fraud label does not act', labels: [{ category: 'fraud', confidence: 0.3 }], expect: { action: 'allow', reason: 'default' } },
  { name: 'fraud as the registered industry → block', call: { callerIndustry: 'fraud' }, expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'gateway-attested call showing a Chinese number → spoofed +86', call: { attestation: 'C' }, expect: { action: 'block', reason: 'spoofed_plus86' } },
  { name: 'spoofed +86 beats the category allowed', prefs: allowAll, labels: [loan], call: { attestation: 'C' }, expect: { action: 'block', reason: 'spoofed_plus86' } },
  { name: 'fully attested call from a Chinese number passes', call: { attestation: 'A' }, expect: { action: 'allow', reason: 'default' } },

  // Breakthrough
  { name: 'breakthrough: a repeat call passes a category block', prefs: breakthroughOn, labels: [loan], repeat: true, expect: { action: 'allow', reason: 'breakthrough' } },
  { name: 'breakthrough never passes the reject list', prefs: (p, c) => (breakthroughOn(p), void p.rejectList.push({ kind: 'exact', value: c })), repeat: true, expect: { action: 'block', reason: 'reject_list_exact' } },
  { name: 'breakthrough never passes fraud', prefs: breakthroughOn, labels: [fraud], repeat: true, expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'breakthrough never passes abnormal frequency', prefs: breakthroughOn, highFrequency: true, repeat: true, expect: { action: 'block', reason: 'high_frequency' } },
  { name: 'breakthrough never passes spoofed +86', prefs: breakthroughOn, call: { attestation: 'C' }, repeat: true, expect: { action: 'block', reason: 'spoofed_plus86' } },
  { name: 'breakthrough never passes one-ring', prefs: breakthroughOn, labels: [{ category: 'one_ring', confidence: 1 }], repeat: true, expect: { action: 'block', reason: 'one_ring' } },
  { name: 'breakthrough never passes a malformed caller', caller: '99', prefs: breakthroughOn, repeat: true, expect: { action: 'block', reason: 'malformed_caller' } },
  { name: 'breakthrough never passes an unauthenticated caller', caller: '+447911123457', prefs: breakthroughOn, call: { attestation: 'C' }, repeat: true, expect: { action: 'block', reason: 'unauthenticated' } },
  { name: 'breakthrough never passes a reject segment', prefs: (p, c) => (breakthroughOn(p), void p.rejectList.push({ kind: 'prefix', value: c.slice(0, 7) })), repeat: true, expect: { action: 'block', reason: 'reject_list_prefix' } },
  { name: 'breakthrough passes a smart-answered category', prefs: (p) => (breakthroughOn(p), void (p.categoryModes.insurance = 'smart_answer')), call: { callerIndustry: 'insurance' }, repeat: true, expect: { action: 'allow', reason: 'breakthrough' } },
  { name: 'breakthrough off: a repeat call is blocked again', labels: [loan], repeat: true, expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },

  // Categories
  { name: 'labelled category refused → block', labels: [loan], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: 'registered industry refused → block', call: { callerIndustry: 'insurance' }, expect: { action: 'block', reason: 'category_block', category: 'insurance' } },
  { name: 'an unknown industry is other marketing', call: { callerIndustry: 'pet_food' }, expect: { action: 'block', reason: 'category_block', category: 'other_marketing' } },
  { name: 'an unknown industry the subscriber allows as other marketing rings', prefs: (p) => void (p.categoryModes.other_marketing = 'allow'), call: { callerIndustry: 'new_energy_cars' }, expect: { action: 'allow', reason: 'default' } },

  // Spellings: the reject list entry is the normal form, the caller arrives spelt otherwise
  { name: 'a trunk 0 before a mobile finds the reject list', caller: '013912345601', prefs: (p) => void p.rejectList.push({ kind: 'exact', value: '13912345601' }), expect: { action: 'block', reason: 'reject_list_exact' } },
  { name: 'full-width digits find the reject list', caller: '１３９１２３４５６０２', prefs: (p) => void p.rejectList.push({ kind: 'exact', value: '13912345602' }), expect: { action: 'block', reason: 'reject_list_exact' } },
  { name: 'an IP-dialling prefix (17951) finds the reject list', caller: '1795113912345603', prefs: (p) => void p.rejectList.push({ kind: 'exact', value: '13912345603' }), expect: { action: 'block', reason: 'reject_list_exact' } },
  { name: 'an IP-dialling prefix (12593) finds the allow list', caller: '12593 139-1234-5604', prefs: (p) => void p.allowList.push({ kind: 'exact', value: '13912345604' }), labels: [loan], expect: { action: 'allow', reason: 'allow_list' } },
  { name: 'category set to smart answering', prefs: (p) => void (p.categoryModes.insurance = 'smart_answer'), call: { callerIndustry: 'insurance' }, expect: { action: 'smart_answer', reason: 'category_smart_answer', category: 'insurance' } },
  { name: 'category set to verification', prefs: (p) => void (p.categoryModes.real_estate = 'verify'), labels: [{ category: 'real_estate', confidence: 0.7 }], expect: { action: 'verify', reason: 'category_verify', category: 'real_estate' } },
  { name: 'category allowed → default allow', prefs: allowAll, labels: [loan], expect: { action: 'allow', reason: 'default' } },
  {
    name: 'of two categories the strictest mode wins',
    prefs: (p) => {
      p.categoryModes.loan_finance = 'allow';
      p.categoryModes.insurance = 'verify';
    },
    labels: [loan, { category: 'insurance', confidence: 0.6 }],
    expect: { action: 'verify', reason: 'category_verify', category: 'insurance' },
  },
  { name: 'a label below the threshold does not act', labels: [{ category: 'loan_finance', confidence: 0.4 }], expect: { action: 'allow', reason: 'default' } },

  // Behaviour
  { name: 'abnormal frequency → block', highFrequency: true, expect: { action: 'block', reason: 'high_frequency' } },
  { name: 'abnormal frequency protection off → allow', prefs: (p) => void (p.behaviour.highFrequency = false), highFrequency: true, expect: { action: 'allow', reason: 'default' } },
  { name: 'abnormal frequency is reported before a category block', labels: [loan], highFrequency: true, expect: { action: 'block', reason: 'high_frequency' } },
  { name: '呼死你: one caller ringing one callee again and again → block', callBombing: true, expect: { action: 'block', reason: 'call_bombing' } },
  { name: '呼死你 with frequency protection off → allow', prefs: (p) => void (p.behaviour.highFrequency = false), callBombing: true, expect: { action: 'allow', reason: 'default' } },
  { name: '呼死你 beats breakthrough', prefs: breakthroughOn, labels: [loan], callBombing: true, repeat: true, expect: { action: 'block', reason: 'call_bombing' } },
  { name: 'abnormal frequency still blocks a category the subscriber allowed', prefs: allowAll, labels: [loan], highFrequency: true, expect: { action: 'block', reason: 'high_frequency' } },
  { name: 'one-ring caller → block', labels: [{ category: 'one_ring', confidence: 1 }], expect: { action: 'block', reason: 'one_ring' } },
  { name: 'one-ring protection off → allow', prefs: (p) => void (p.behaviour.oneRing = false), labels: [{ category: 'one_ring', confidence: 1 }], expect: { action: 'allow', reason: 'default' } },
  { name: 'malformed caller number → block', caller: '12', expect: { action: 'block', reason: 'malformed_caller' } },
  { name: 'malformed caller, protection off → allow', caller: '0000', prefs: (p) => void (p.behaviour.malformedCaller = false), expect: { action: 'allow', reason: 'default' } },
  { name: 'gateway-attested foreign caller → unauthenticated', caller: '+447911123456', call: { attestation: 'C' }, expect: { action: 'block', reason: 'unauthenticated' } },
  { name: 'spoofed +86 switched off: still unauthenticated', prefs: (p) => void (p.behaviour.spoofedPlus86 = false), call: { attestation: 'C' }, expect: { action: 'block', reason: 'unauthenticated' } },
  {
    name: 'spoofing and malformed protection both off → allow',
    prefs: (p) => {
      p.behaviour.spoofedPlus86 = false;
      p.behaviour.malformedCaller = false;
    },
    call: { attestation: 'C' },
    expect: { action: 'allow', reason: 'default' },
  },

  // Time windows
  { name: 'marketing refused only at night: at noon it rings (time window)', prefs: nightOnly, labels: [loan], call: { at: NOON }, expect: { action: 'allow', reason: 'time_window', category: 'loan_finance' } },
  { name: 'marketing refused only at night: at 23:00 blocked', prefs: nightOnly, labels: [loan], call: { at: LATE_EVENING }, expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  {
    name: 'a Friday-night window covers Saturday 03:00',
    prefs: (p) => void (p.options.timeWindows = { mode: 'windows', windows: [{ days: [5], start: '22:00', end: '07:00' }] }),
    labels: [loan],
    call: { at: SATURDAY_3AM },
    expect: { action: 'block', reason: 'category_block', category: 'loan_finance' },
  },
  {
    name: 'a Friday-night window does not cover Saturday noon',
    prefs: (p) => void (p.options.timeWindows = { mode: 'windows', windows: [{ days: [5], start: '22:00', end: '07:00' }] }),
    labels: [loan],
    call: { at: SATURDAY_NOON },
    expect: { action: 'allow', reason: 'time_window', category: 'loan_finance' },
  },
  { name: 'behaviour protection beats the time window', prefs: nightOnly, labels: [loan], highFrequency: true, call: { at: NOON }, expect: { action: 'block', reason: 'high_frequency' } },

  // Consent (a marketer account named by the network holds the callee's live consent for the category)
  { name: 'a consented marketer passes the category refusal', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'allow', reason: 'consent', category: 'loan_finance' } },
  { name: 'consent by a label category passes too', labels: [loan], call: { callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'allow', reason: 'consent', category: 'loan_finance' } },
  { name: 'consent for another category does not pass', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'insurance' }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: "another account's consent does not pass", call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-two', category: 'loan_finance' }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: 'a call naming no account gets no consent', call: { callerIndustry: 'loan_finance', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: 'a revoked consent does not pass', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance', revoked: true }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: 'an expired consent does not pass', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance', expired: true }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  { name: 'consent does not pass outside the calling hours', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: LATE_EVENING }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'block', reason: 'category_block', category: 'loan_finance' } },
  {
    name: 'consent never passes the personal reject list',
    prefs: (p, caller) => p.rejectList.push({ kind: 'exact', value: caller }),
    call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON },
    consents: [{ account: 'cc-one', category: 'loan_finance' }],
    expect: { action: 'block', reason: 'reject_list_exact' },
  },
  { name: 'consent never passes fraud', labels: [{ category: 'fraud', confidence: 0.9 }], call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'block', reason: 'fraud', category: 'fraud' } },
  { name: 'consent never passes spoofing', call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', attestation: 'C', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'block', reason: 'spoofed_plus86' } },
  { name: 'consent never passes behaviour protection', highFrequency: true, call: { callerIndustry: 'loan_finance', callerAccount: 'cc-one', at: NOON }, consents: [{ account: 'cc-one', category: 'loan_finance' }], expect: { action: 'block', reason: 'high_frequency' } },
];
