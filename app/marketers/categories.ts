// The categories a marketer may scrub for or hold consent for: every contract category but fraud, which
// no consent can ever let through.
import { CATEGORY_CODES, type CategoryCode } from '../protection/preferences';

export const MARKETING_CATEGORIES = CATEGORY_CODES.filter((c) => c !== 'fraud') as Exclude<CategoryCode, 'fraud'>[];
export type MarketingCategory = (typeof MARKETING_CATEGORIES)[number];
export const CONSENT_CHANNELS = ['web', 'sms', 'call', 'app', 'paper'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
