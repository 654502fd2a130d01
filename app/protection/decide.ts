// The decision as a pure function of its inputs: the call, the callee's preferences, the caller's labels,
// what behaviour was observed, and the time. No I/O, no clock: the Decider gathers, this decides.
import { categoryOfIndustry, isBehaviourTag, type LabelCategory, type LabelSource } from '../labels/categories';
import { LABEL_THRESHOLD } from '../labels/confidence';
import { compiledListsOf, matchList } from './list-match';
import type { NormalizedNumber } from './numbers';
import type { CategoryCode, CategoryMode, Preferences } from './preferences';
import { RULES, type Decision, type RuleContext } from './rules';
import { BUILT_IN_PUBLIC_SERVICE } from './public-service';
import { insideAnyWindow } from './time-windows';

export type { Decision, DecisionReason, Action } from './rules';

/** One of the caller's labels, with its confidence already decayed to the moment of the call. */
export interface LabelHit {
  category: LabelCategory;
  confidence: number;
  source: LabelSource;
}

export interface BehaviourFacts {
  /** The caller's calls per window crossed the abnormal-frequency threshold (counted across processes). */
  highFrequency: boolean;
  /** 呼死你: the caller rang this callee again and again (counted across processes). */
  callBombing?: boolean;
  /** When this caller was last stopped (blocked, verified, smart-answered) for this callee, ms since epoch. */
  lastStoppedAt?: number;
}

export interface DecisionInput {
  caller: NormalizedNumber;
  /**
   * The caller is on the process's public-service list (built-in numbers and the operator's additions);
   * absent, the built-in list alone decides.
   */
  publicService?: boolean;
  callerIndustry?: string;
  attestation?: 'A' | 'B' | 'C';
  /** null: the callee is not enrolled. */
  prefs: Preferences | null;
  labels: readonly LabelHit[];
  facts: BehaviourFacts;
  /** The moment of the call, ms since epoch. */
  now: number;
  /**
   * The marketer account the network attributes the call to (a MARKETER_KEYS key id), and whether it
   * holds a live consent of the callee for a category at `now` (inside the marketers' calling hours).
   */
  callerAccount?: string;
  consentFor?: (category: CategoryCode) => boolean;
}

const STRICTNESS: Record<CategoryMode, number> = { allow: 0, smart_answer: 1, verify: 2, block: 3 };
const NO_FACTS: BehaviourFacts = { highFrequency: false };

type Marketing = { category: CategoryCode; mode: CategoryMode };
// (category, mode) pairs are few: shared, not built per call.
const MARKETING = new Map<string, Map<string, Marketing>>();
function marketingOf(category: CategoryCode, mode: CategoryMode): Marketing {
  let byMode = MARKETING.get(category);
  if (!byMode) MARKETING.set(category, (byMode = new Map()));
  let m = byMode.get(mode);
  if (!m) byMode.set(mode, (m = Object.freeze({ category, mode }) as Marketing));
  return m;
}

/**
 * Of the caller's marketing categories (its registered industry and its acting labels), the one whose
 * mode for this callee is strictest; among equals, the most believed.
 */
function strictestMarketing(prefs: Preferences, industry: CategoryCode | undefined, labels: readonly LabelHit[]): Marketing | null {
  let best: CategoryCode | undefined;
  let bestMode: CategoryMode = 'allow';
  let bestConfidence = -1;
  const modes = prefs.categoryModes;
  for (let i = -1; i < labels.length; i++) {
    let c: CategoryCode;
    let confidence: number;
    if (i < 0) {
      if (!industry || industry === 'fraud') continue;
      c = industry;
      confidence = 1;
    } else {
      const l = labels[i];
      if (l.confidence < LABEL_THRESHOLD || l.category === 'fraud' || isBehaviourTag(l.category)) continue;
      c = l.category as CategoryCode;
      confidence = l.confidence;
    }
    const mode = modes[c] ?? 'block';
    if (best === undefined || STRICTNESS[mode] > STRICTNESS[bestMode] || (STRICTNESS[mode] === STRICTNESS[bestMode] && confidence > bestConfidence)) {
      best = c;
      bestMode = mode;
      bestConfidence = confidence;
    }
  }
  return best === undefined ? null : marketingOf(best, bestMode);
}

function hasLabel(labels: readonly LabelHit[], category: LabelCategory): boolean {
  for (const l of labels) if (l.category === category && l.confidence >= LABEL_THRESHOLD) return true;
  return false;
}

function emptyContext(caller: NormalizedNumber): RuleContext {
  return {
    caller,
    publicService: false,
    attestation: undefined,
    prefs: null,
    lists: null,
    allowMatch: null,
    rejectMatch: null,
    fraud: false,
    marketing: null,
    marketingHours: true,
    consent: false,
    highFrequency: false,
    callBombing: false,
    oneRing: false,
    repeatCall: false,
  };
}

/** Everything the rules look at, computed once per call. */
export function buildContext(input: DecisionInput): RuleContext {
  return fillContext(emptyContext(input.caller), input);
}

function fillContext(base: RuleContext, input: DecisionInput): RuleContext {
  const { prefs, caller, labels } = input;
  const facts = input.facts ?? NO_FACTS;
  base.caller = caller;
  base.publicService = input.publicService ?? (caller.kind !== 'invalid' && BUILT_IN_PUBLIC_SERVICE.has(caller.value));
  base.attestation = input.attestation;
  base.prefs = prefs;
  base.lists = null;
  base.allowMatch = null;
  base.rejectMatch = null;
  base.fraud = false;
  base.marketing = null;
  base.marketingHours = true;
  base.consent = false;
  base.highFrequency = false;
  base.callBombing = false;
  base.oneRing = false;
  base.repeatCall = false;
  // Public service, not enrolled or paused: the first rows answer, nothing else is worth computing.
  if (base.publicService || !prefs || !prefs.enabled || prefs.paused) return base;
  const lists = compiledListsOf(prefs);
  const industry = categoryOfIndustry(input.callerIndustry);
  const tw = prefs.options.timeWindows;
  const bt = prefs.options.breakthrough;
  base.lists = lists;
  base.allowMatch = matchList(lists.allow, caller);
  base.rejectMatch = matchList(lists.reject, caller);
  base.fraud = industry === 'fraud' || hasLabel(labels, 'fraud');
  base.marketing = strictestMarketing(prefs, industry, labels);
  base.marketingHours = tw.mode !== 'windows' || insideAnyWindow(tw.windows, input.now);
  const m = base.marketing;
  base.consent = m !== null && m.mode !== 'allow' && base.marketingHours && input.consentFor !== undefined && input.consentFor(m.category);
  base.highFrequency = facts.highFrequency || hasLabel(labels, 'high_frequency');
  base.callBombing = facts.callBombing === true;
  base.oneRing = hasLabel(labels, 'one_ring');
  base.repeatCall =
    bt.enabled && facts.lastStoppedAt !== undefined && input.now - facts.lastStoppedAt >= 0 && input.now - facts.lastStoppedAt <= bt.withinMinutes * 60_000;
  return base;
}

// decide() is synchronous and keeps nothing of its context, so one context serves every call (a batch of
// 1,000 allocates none); `inUse` covers a consent lookup that would itself decide.
const scratch = emptyContext({ kind: 'invalid', value: '' } as NormalizedNumber);
let inUse = false;

/** Runs the precedence table (rules.ts): the first matching row decides. */
export function decide(input: DecisionInput): Decision {
  if (inUse) return runRules(buildContext(input));
  inUse = true;
  try {
    return runRules(fillContext(scratch, input));
  } finally {
    inUse = false;
    scratch.prefs = null;
    scratch.lists = null;
  }
}

function runRules(ctx: RuleContext): Decision {
  for (const rule of RULES) {
    const d = rule.match(ctx);
    if (d) return d;
  }
  throw new Error('the rules table ends with a default row');
}
