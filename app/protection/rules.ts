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

// Every decision is one of a few dozen: each is built once, frozen and shared, never rebuilt on the hot
// path (a screen allocates no decision and no closure here).
const made = new Map<string, Map<string, Map<string, Decision>>>();
const canonical = new WeakSet<Decision>();
/** The shared, frozen decision for these fields. */
export function decision(action: Action, reason: DecisionReason, category?: CategoryCode): Decision {
  let byReason = made.get(action);
  if (!byReason) made.set(action, (byReason = new Map()));
  let byCategory = byReason.get(reason);
  if (!byCategory) byReason.set(reason, (byCategory = new Map()));
  let d = byCategory.get(category ?? '');
  if (!d) {
    d = Object.freeze(category ? { action, reason, category } : { action, reason }) as Decision;
    byCategory.set(category ?? '', d);
    canonical.add(d);
  }
  return d;
}
const allow = (reason: DecisionReason, category?: CategoryCode): Decision => decision('allow', reason, category);
const block = (reason: DecisionReason, category?: CategoryCode): Decision => decision('block', reason, category);

/** Whether a decision is one of the table's own (it carries the contract's fields and nothing else). */
export function isCanonicalDecision(d: object): boolean {
  return canonical.has(d as Decision);
}

const PUBLIC_SERVICE = allow('public_service');
const NOT_ENROLLED = allow('not_enrolled');
const PAUSED = allow('paused');
const ALLOW_LIST = allow('allow_list');
const DEFAULT = allow('default');
const BREAKTHROUGH = allow('breakthrough');
const SPOOFED = block('spoofed_plus86');
const REJECT_EXACT = block('reject_list_exact');
const REJECT_PREFIX = block('reject_list_prefix');
const REJECT_GROUP = block('reject_list_group');
const FRAUD = block('fraud', 'fraud');
const HIGH_FREQUENCY = block('high_frequency');
const CALL_BOMBING = block('call_bombing');
const ONE_RING = block('one_ring');
const MALFORMED = block('malformed_caller');
const UNAUTHENTICATED = block('unauthenticated');
const CATEGORY_REASON: Record<CategoryMode, DecisionReason> = { allow: 'default', block: 'category_block', smart_answer: 'category_smart_answer', verify: 'category_verify' };
const refused = (c: RuleContext): boolean => c.marketing !== null && c.marketing.mode !== 'allow';

export const RULES: readonly Rule[] = [
  // 1. Emergency and anti-fraud numbers ring through whatever anyone said about them, spoofing included:
  //    a blocked 110 costs more than any harassment call.
  { id: 'public_service', match: (c) => (c.publicService ? PUBLIC_SERVICE : undefined) },
  // 2–3. Only enrolled, active protection stops anything.
  { id: 'not_enrolled', match: (c) => (!c.prefs || !c.prefs.enabled ? NOT_ENROLLED : undefined) },
  { id: 'paused', match: (c) => (c.prefs!.paused ? PAUSED : undefined) },
  // 4. A call the network could only gateway-attest ('C': it entered from abroad) yet showing a Chinese
  //    number: the "+86" disguise of overseas fraud rings. Before the allow list: the number shown is not
  //    the number the subscriber trusts.
  { id: 'spoofed_plus86', match: (c) => (c.prefs!.behaviour.spoofedPlus86 && c.attestation === 'C' && isDomestic(c.caller.kind) ? SPOOFED : undefined) },
  // 5. The subscriber's own "always put through" beats lists, labels and behaviour (an appeal lands here).
  { id: 'allow_list', match: (c) => (c.allowMatch !== null ? ALLOW_LIST : undefined) },
  // 6–8. The personal reject list: exact number, then the longest matching segment, then a group.
  { id: 'reject_list_exact', match: (c) => (c.rejectMatch === 'exact' ? REJECT_EXACT : undefined) },
  { id: 'reject_list_prefix', match: (c) => (c.rejectMatch === 'prefix' ? REJECT_PREFIX : undefined) },
  { id: 'reject_list_group', match: (c) => (c.rejectMatch === 'group' ? REJECT_GROUP : undefined) },
  // 9–14. Beyond the subscriber's reach: no category mode, time window or breakthrough lets these through.
  { id: 'fraud', match: (c) => (c.fraud ? FRAUD : undefined) },
  { id: 'high_frequency', match: (c) => (c.prefs!.behaviour.highFrequency && c.highFrequency ? HIGH_FREQUENCY : undefined) },
  { id: 'call_bombing', match: (c) => (c.prefs!.behaviour.highFrequency && c.callBombing ? CALL_BOMBING : undefined) },
  { id: 'one_ring', match: (c) => (c.prefs!.behaviour.oneRing && c.oneRing ? ONE_RING : undefined) },
  { id: 'malformed_caller', match: (c) => (c.prefs!.behaviour.malformedCaller && c.caller.kind === 'invalid' ? MALFORMED : undefined) },
  { id: 'unauthenticated', match: (c) => (c.prefs!.behaviour.malformedCaller && c.attestation === 'C' ? UNAUTHENTICATED : undefined) },
  // 15. Someone who really needs the subscriber calls twice: only the marketing rows below are passed.
  { id: 'breakthrough', match: (c) => (c.repeatCall ? BREAKTHROUGH : undefined) },
  // 16. Caller labels and registered industry against the subscriber's category modes (inside marketing
  // hours), unless the call's marketer holds the callee's consent for that category (row 17).
  {
    id: 'category',
    match: (c) =>
      refused(c) && c.marketingHours && !c.consent ? decision(c.marketing!.mode as Action, CATEGORY_REASON[c.marketing!.mode], c.marketing!.category) : undefined,
  },
  // 17. A consented marketer's call passed the category row; it still met every behaviour row above.
  { id: 'consent', match: (c) => (c.consent ? allow('consent', c.marketing!.category) : undefined) },
  // 18. A refused marketing category outside the subscriber's windows rings through, and says why.
  { id: 'time_window', match: (c) => (refused(c) && !c.marketingHours ? allow('time_window', c.marketing!.category) : undefined) },
  // 19.
  { id: 'default', match: () => DEFAULT },
];

/** Reasons a breakthrough (repeat call) may pass: the rows below it. */
export const PASSABLE_BY_BREAKTHROUGH: ReadonlySet<string> = new Set(
  RULES.slice(RULES.findIndex((r) => r.id === 'breakthrough') + 1).flatMap((r) =>
    r.id === 'category' ? ['category_block', 'category_smart_answer', 'category_verify'] : [r.id],
  ),
);
