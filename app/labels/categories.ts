// What a label says about a number: one of the contract's category codes, or a behaviour seen on the
// network. Each has a small code so the in-process index keeps it in one byte.
import { CATEGORY_CODES, type CategoryCode } from '../protection/preferences';

/** Behaviour labels: learnt from traffic, not stated by anyone. */
export const BEHAVIOUR_TAGS = [
  'high_frequency', // 异常高频: hundreds of calls a minute
  'one_ring', // 响一声: rings once to bait a call-back
] as const;
export type BehaviourTag = (typeof BEHAVIOUR_TAGS)[number];

export type LabelCategory = CategoryCode | BehaviourTag;
export const LABEL_CATEGORIES: readonly LabelCategory[] = [...CATEGORY_CODES, ...BEHAVIOUR_TAGS];

export const LABEL_SOURCES = ['import', 'report', 'behaviour', 'operator'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

const categoryCode = new Map<string, number>(LABEL_CATEGORIES.map((c, i) => [c, i]));
const sourceCode = new Map<string, number>(LABEL_SOURCES.map((s, i) => [s, i]));

export function isLabelCategory(s: string): s is LabelCategory {
  return categoryCode.has(s);
}

export function isLabelSource(s: string): s is LabelSource {
  return sourceCode.has(s);
}

export function isBehaviourTag(c: LabelCategory): c is BehaviourTag {
  return c === 'high_frequency' || c === 'one_ring';
}

// meta byte: category in the low 5 bits (13 used of 32), source in the high 3 bits (4 used of 8).
export function packMeta(category: LabelCategory, source: LabelSource): number {
  return categoryCode.get(category)! | (sourceCode.get(source)! << 5);
}

export function metaCategory(meta: number): LabelCategory {
  return LABEL_CATEGORIES[meta & 31];
}

export function metaSource(meta: number): LabelSource {
  return LABEL_SOURCES[meta >> 5];
}

/**
 * A registered voice platform's industry (the network's `callerIndustry`) as a category: the contract's
 * codes as they are; an industry we do not know is still marketing, so 'other_marketing'.
 */
export function categoryOfIndustry(industry: string | undefined): CategoryCode | undefined {
  if (!industry) return undefined;
  return (CATEGORY_CODES as readonly string[]).includes(industry) ? (industry as CategoryCode) : 'other_marketing';
}
