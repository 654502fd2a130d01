// THE precedence table of the decision engine. First match wins. docs/decisions.md states the same table
// in words (a test keeps the two in the same order); change both together.
import { isDomestic, type NormalizedNumber } from './numbers';
import type { CompiledPreferences, ListMatch } from './list-match';
import type { CategoryCode, CategoryMode, Preferences } from './preferences';

export type Action = 'allow' | 'block' | 'smart_answer' | 'verify';

export type DecisionReason =
  | 'public_service'
  | 'not_enrolled'
  | 'paused'
  | 'allow_list'
  | 'reject_list_exact'
  | 'reject_list_prefix'
  | 'reject_list_group'
  | 'fraud'
  | 'spoofed_plus86'
  | 'breakthrough'
  | 'category_block'
  | 'category_smart_answer'
  | 'category_verify'
  | 'high_frequency'
  | 'call_bombing'
  | 'one_ring'
  | 'malformed_caller'
  | 'unauthenticated'
  | 'time_window'
  | 'consent'
  | 'default';

export interface Decision {
  action: Action;
  reason: DecisionReason;
  category?: CategoryCode;
}

/** Everything a rule may look at, computed once per call by decide(). */
export interface RuleContext {
  caller: NormalizedNumber;
  /** The caller is an emergency or public-service number (public-service.ts). */
  publicService: boolean;
  attestation?: 'A' | 'B' | 'C';
  /** null: the callee is not enrolled. */
  prefs: Preferences | null;
  lists: CompiledPreferences | null;
  allowMatch: ListMatch;
  rejectMatch: ListMatch;
  /** A fraud label (or a fraud industry) that acts. */
  fraud: boolean;
  /** The marketing category whose mode is strictest for this callee, with that mode; null when none applies. */
  marketing: { category: CategoryCode; mode: CategoryMode } | null;
  /** Marketing categories apply now (always, or inside one of the subscriber's windows). */
  marketingHours: boolean;
  /** The call's marketer account holds a live consent of the callee for the refused marketing category. */
  consent: boolean;
  highFrequency: boolean;
  /** 呼死你: this caller has rung this callee again and again. */
  callBombing: boolean;
  oneRing: boolean;
  /** This caller was stopped for this callee within the breakthrough minutes. */
  repeatCall: boolean;
}

export interface Rule {
  /** The reason a match carries; also the row's name in docs/decisions.md. */
  id: DecisionReason | 'category';
  /** Returns the decision when the rule matches, else undefined (the next row is tried). */
  match(c: RuleContext): Decision | undefined;
}

const allow = (reason: DecisionReason, category?: CategoryCode): Decision => (category ? { action: 'allow', reason, category } : { action: 'allow', reason });
const block = (reason: DecisionReason, category?: CategoryCode): Decision => (category ? { action: 'block', reason, category } : { action: 'block', reason });
const when = (cond: boolean, d: () => Decision): Decision | undefined => (cond ? d() : undefined);

// Decisions without a category are the same every time: shared, never rebuilt on the hot path.
const PUBLIC_SERVICE = allow('public_service');
const NOT_ENROLLED = allow('not_enrolled');
const PAUSED = allow('paused');
const ALLOW_LIST = allow('allow_list');
const DEFAULT = allow('default');
const BREAKTHROUGH = allow('breakthrough');

export const RULES: readonly Rule[] = [
  // 1. Emergency and anti-fraud numbers ring through whatever anyone said about them, spoofing included:
  //    a blocked 110 costs more than any harassment call.
  { id: 'public_service', match: (c) => when(c.publicService, () => PUBLIC_SERVICE) },
  // 2–3. Only enrolled, active protection stops anything.
  { id: 'not_enrolled', match: (c) => when(!c.prefs || !c.prefs.enabled, () => NOT_ENROLLED) },
  { id: 'paused', match: (c) => when(c.prefs!.paused, () => PAUSED) },
  // 4. A call the network could only gateway-attest ('C': it entered from abroad) yet showing a Chinese
  //    number: the "+86" disguise of overseas fraud rings. Before the allow list: the number shown is not
  //    the number the subscriber trusts.
  {
    id: 'spoofed_plus86',
    match: (c) => when(c.prefs!.behaviour.spoofedPlus86 && c.attestation === 'C' && isDomestic(c.caller.kind), () => block('spoofed_plus86')),
  },
  // 5. The subscriber's own "always put through" beats lists, labels and behaviour (an appeal lands here).
  { id: 'allow_list', match: (c) => when(c.allowMatch !== null, () => ALLOW_LIST) },
  // 6–8. The personal reject list: exact number, then the longest matching segment, then a group.
  { id: 'reject_list_exact', match: (c) => when(c.rejectMatch === 'exact', () => block('reject_list_exact')) },
  { id: 'reject_list_prefix', match: (c) => when(c.rejectMatch === 'prefix', () => block('reject_list_prefix')) },
  { id: 'reject_list_group', match: (c) => when(c.rejectMatch === 'group', () => block('reject_list_group')) },
  // 9–14. Beyond the subscriber's reach: no category mode, time window or breakthrough lets these through.
  { id: 'fraud', match: (c) => when(c.fraud, () => block('fraud', 'fraud')) },
  { id: 'high_frequency', match: (c) => when(c.prefs!.behaviour.highFrequency && c.highFrequency, () => block('high_frequency')) },
  { id: 'call_bombing', match: (c) => when(c.prefs!.behaviour.highFrequency && c.callBombing, () => block('call_bombing')) },
  { id: 'one_ring', match: (c) => when(c.prefs!.behaviour.oneRing && c.oneRing, () => block('one_ring')) },
  { id: 'malformed_caller', match: (c) => when(c.prefs!.behaviour.malformedCaller && c.caller.kind === 'invalid', () => block('malformed_caller')) },
  { id: 'unauthenticated', match: (c) => when(c.prefs!.behaviour.malformedCaller && c.attestation === 'C', () => block('unauthenticated')) },
  // 15. Someone who really needs the subscriber calls twice: only the marketing rows below are passed.
  { id: 'breakthrough', match: (c) => when(c.repeatCall, () => BREAKTHROUGH) },
  // 16. Caller labels and registered industry against the subscriber's category modes (inside marketing
  // hours), unless the call's marketer holds the callee's consent for that category (row 17).
  {
    id: 'category',
    match: (c) =>
      when(c.marketing !== null && c.marketing.mode !== 'allow' && c.marketingHours && !c.consent, () => ({
        action: c.marketing!.mode as Action,
        reason: `category_${c.marketing!.mode}` as DecisionReason,
        category: c.marketing!.category,
      })),
  },
  // 17. A consented marketer's call passed the category row; it still met every behaviour row above.
  { id: 'consent', match: (c) => when(c.consent, () => allow('consent', c.marketing!.category)) },
  // 18. A refused marketing category outside the subscriber's windows rings through, and says why.
  {
    id: 'time_window',
    match: (c) => when(c.marketing !== null && c.marketing.mode !== 'allow' && !c.marketingHours, () => allow('time_window', c.marketing!.category)),
  },
  // 19.
  { id: 'default', match: () => DEFAULT },
];

/** Reasons a breakthrough (repeat call) may pass: the rows below it. */
export const PASSABLE_BY_BREAKTHROUGH: ReadonlySet<string> = new Set(
  RULES.slice(RULES.findIndex((r) => r.id === 'breakthrough') + 1).flatMap((r) =>
    r.id === 'category' ? ['category_block', 'category_smart_answer', 'category_verify'] : [r.id],
  ),
);
