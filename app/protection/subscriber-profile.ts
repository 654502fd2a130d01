// What the subscriber view holds of a subscriber: a profile code and, for a phone, the key it is found by.
// Pure functions, shared by the writers (recordSubscriberChange), the import, the migration's backfill and
// the in-memory view.
import { preferencesFromRows } from './preference-source';
import type { Preferences } from './preferences';

/** 0 gone · 1 on, the protective default, no lists · 2 paused · 3 on and customised. */
export const PROFILE = { gone: 0, default: 1, paused: 2, custom: 3 } as const;
export type Profile = (typeof PROFILE)[keyof typeof PROFILE];

/**
 * A lookup hash (64 hex digits) as the view's key: its first 13 hex digits (52 bits, exact in a double)
 * and the next 8 (32 bits). 84 bits in all: among 600 million phones two share them with a probability
 * of about 10⁻⁸, and then the database's primary key refuses the second (the writer's transaction fails
 * and is retried, it is never silently merged).
 */
export function viewKeyOf(phoneHash: string): { key: number; check: number } {
  return { key: parseInt(phoneHash.slice(0, 13), 16), check: parseInt(phoneHash.slice(13, 21), 16) };
}

type Raw = Record<string, unknown>;

/** What a decision reads of Preferences besides the lists and the two switches. */
function decisionPart(p: Preferences): string {
  return JSON.stringify([p.categoryModes, p.behaviour, p.options]);
}

/** The protective default as decide() sees it: every marketing category and fraud blocked, behaviour on. */
export const DEFAULT_PREFERENCES: Preferences = Object.freeze(preferencesFromRows(0, { enabled: 1, paused: 0 }, [])) as Preferences;
/** Any paused subscriber: rule 2 answers before anything else of theirs is read. */
export const PAUSED_PREFERENCES: Preferences = Object.freeze(preferencesFromRows(0, { enabled: 1, paused: 1 }, [])) as Preferences;
const DEFAULT_DECISION = decisionPart(DEFAULT_PREFERENCES);

const truthy = (v: unknown) => v === true || Number(v) === 1;

/**
 * The profile of a subscriber with a bound phone, from their protection_settings row (null: none) and the
 * number of their list entries. Anything that is not exactly the default counts as customised, which is
 * always safe: a customised subscriber's whole Preferences are held.
 */
export function profileOf(settings: Raw | null, listEntries: number): Profile {
  if (!settings || !truthy(settings.enabled)) return PROFILE.gone;
  if (truthy(settings.paused)) return PROFILE.paused;
  if (listEntries > 0) return PROFILE.custom;
  return decisionPart(preferencesFromRows(0, settings, [])) === DEFAULT_DECISION ? PROFILE.default : PROFILE.custom;
}

/** The shared Preferences of a profile that needs no per-subscriber data, or null (gone) / undefined (custom). */
export function sharedPreferences(profile: number): Preferences | null | undefined {
  if (profile === PROFILE.default) return DEFAULT_PREFERENCES;
  if (profile === PROFILE.paused) return PAUSED_PREFERENCES;
  if (profile === PROFILE.gone) return null;
  return undefined;
}
