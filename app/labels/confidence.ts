// How much a label is believed: grows with independent evidence, decays with time (docs/decisions.md,
// "Label confidence").
import type { LabelSource } from './categories';

const DAY_MS = 86_400_000;

/** A label acts on decisions from this effective confidence up. */
export const LABEL_THRESHOLD = 0.5;

/** One subscriber's report: five independent reporters are needed before a label acts (1 − 0.85^5 ≈ 0.56). */
export const REPORT_WEIGHT = 0.15;

/** Days after which the belief in a label halves without new evidence. Operators' labels do not fade. */
export const HALF_LIFE_DAYS: Record<LabelSource, number> = {
  import: 180,
  report: 60,
  behaviour: 3,
  operator: Infinity,
};

/** c(t) = c0 · 2^(−(t − lastSeen) / H_source) */
export function effectiveConfidence(stored: number, lastSeenMs: number, source: LabelSource, nowMs: number): number {
  const h = HALF_LIFE_DAYS[source];
  const ageDays = (nowMs - lastSeenMs) / DAY_MS;
  if (h === Infinity || ageDays <= 0) return stored;
  return stored * Math.pow(2, -ageDays / h);
}

/** Noisy-OR: independent evidence of weight w leaves (1 − w) of the remaining doubt. */
export function withEvidence(current: number, weight: number): number {
  return 1 - (1 - clamp01(current)) * (1 - clamp01(weight));
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0;
}

/** Confidence in the index's one byte. */
export function toByte(c: number): number {
  return Math.round(clamp01(c) * 255);
}

export function fromByte(b: number): number {
  return b / 255;
}

export { DAY_MS };
