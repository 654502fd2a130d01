// How reports become evidence, beside the label confidence of protection/label-confidence.ts (noisy-OR,
// half-lives). Pure functions: the service feeds them rows, they answer weights and confidences.
//
//   · One reporter, one vote per number: a second report of the same number by the same reporter inside
//     the evidence window is a duplicate and adds nothing.
//   · A vote weighs the reporter's trust: an established subscriber (phone bound, account older than a
//     week) 1, a new one 0.3, one without a bound phone 0.1; a complaint from the network's feed 1 when it
//     names the complainant, 0.5 when it does not.
//   · Coordinated manipulation: when several low-trust reporters report one number within an hour, every
//     low-trust vote of that burst is damped to a tenth and the number is flagged for an operator.
//   · Confidence = 1 − Π(1 − REPORT_WEIGHT · trustᵢ · 2^(−ageᵢ / half-life)) — the label confidence's noisy-OR, each vote
//     fading with the report half-life. A label is written only once the confidence reaches the threshold
//     (higher for 疑似诈骗, which overrides subscribers' choices), so no single reporter can make one.
import { HALF_LIFE_DAYS, LABEL_THRESHOLD, REPORT_WEIGHT } from '../labels/confidence';
import type { CategoryCode } from '../protection/preferences';

const DAY_MS = 86_400_000;

/** Reports older than this are no longer evidence (and no longer make a later report a duplicate). */
export const EVIDENCE_WINDOW_DAYS = 180;
/** A report label lives this long after its last renewal, then expires unless new reports renew it. */
export const REPORT_LABEL_TTL_DAYS = 90;
export const NEW_ACCOUNT_DAYS = 7;

export const TRUST = {
  established: 1,
  newAccount: 0.3,
  unverified: 0.1,
  complaintNamed: 1,
  complaintAnonymous: 0.5,
} as const;

export const BURST = {
  windowMs: 60 * 60_000,
  /** Low-trust reports of one number within the window that make a burst (this one included). */
  minLowTrust: 4,
  damping: 0.1,
} as const;

/** Per reporter: at most this many reports an hour and a day. */
export const REPORTER_LIMITS = { perHour: 10, perDay: 30 } as const;

export function labelThreshold(category: CategoryCode): number {
  return category === 'fraud' ? 0.7 : LABEL_THRESHOLD;
}

export type ReporterFacts =
  | { kind: 'subscriber'; accountCreatedAt: Date; hasBoundPhone: boolean }
  | { kind: 'complaint'; namesComplainant: boolean };

export function reporterTrust(f: ReporterFacts, now: Date): { trust: number; flags: string[] } {
  if (f.kind === 'complaint') return f.namesComplainant ? { trust: TRUST.complaintNamed, flags: [] } : { trust: TRUST.complaintAnonymous, flags: ['anonymous'] };
  if (!f.hasBoundPhone) return { trust: TRUST.unverified, flags: ['unverified'] };
  if (now.getTime() - f.accountCreatedAt.getTime() < NEW_ACCOUNT_DAYS * DAY_MS) return { trust: TRUST.newAccount, flags: ['new_reporter'] };
  return { trust: TRUST.established, flags: [] };
}

export const isLowTrust = (trust: number) => trust < TRUST.established * 0.5;

/** Weight is stored in thousandths so that it sums exactly in SQL and reads plainly in the CLI. */
export const toMilli = (x: number) => Math.round(x * 1000);
export const fromMilli = (x: number) => x / 1000;

export interface Evidence {
  category: string;
  reporterKey: string;
  /** Trust in thousandths, after damping. */
  weight: number;
  createdAt: Date;
}

export interface CategoryScore {
  category: CategoryCode;
  confidence: number;
  reporters: number;
  /** Whether the confidence is enough for a label. */
  labelled: boolean;
}

/** Confidence per category from the counted reports of one number, strongest first. */
export function scoreReports(reports: Evidence[], now: Date): CategoryScore[] {
  const byCategory = new Map<string, { doubt: number; reporters: Set<string> }>();
  for (const r of reports) {
    const ageDays = Math.max(0, (now.getTime() - r.createdAt.getTime()) / DAY_MS);
    const w = REPORT_WEIGHT * fromMilli(r.weight) * Math.pow(2, -ageDays / HALF_LIFE_DAYS.report);
    const acc = byCategory.get(r.category) ?? { doubt: 1, reporters: new Set<string>() };
    acc.doubt *= 1 - Math.min(1, Math.max(0, w));
    acc.reporters.add(r.reporterKey);
    byCategory.set(r.category, acc);
  }
  return [...byCategory.entries()]
    .map(([category, a]) => {
      const confidence = 1 - a.doubt;
      return { category: category as CategoryCode, confidence, reporters: a.reporters.size, labelled: confidence >= labelThreshold(category as CategoryCode) };
    })
    .sort((a, b) => b.confidence - a.confidence);
}

export function evidenceSince(now: Date): Date {
  return new Date(now.getTime() - EVIDENCE_WINDOW_DAYS * DAY_MS);
}

export function labelExpiry(now: Date): Date {
  return new Date(now.getTime() + REPORT_LABEL_TTL_DAYS * DAY_MS);
}
