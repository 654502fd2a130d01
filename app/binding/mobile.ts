// Mainland mobile numbers as a subscriber types them: 13800138000, +86 138 0013 8000, 86-138-0013-8000.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The 11-digit national form of a valid mainland mobile number, or null. */
export function parseMainlandMobile(raw: string): string | null {
  const cleaned = raw.replace(/[\s\-()（）]/g, '').replace(/^0086/, '+86');
  if (!/^\+?\d{11,13}$/.test(cleaned)) return null;
  const withCountry = cleaned.startsWith('+') ? cleaned : cleaned.length === 13 && cleaned.startsWith('86') ? `+${cleaned}` : `+86${cleaned}`;
  const parsed = parsePhoneNumberFromString(withCountry);
  if (!parsed || parsed.country !== 'CN' || !parsed.isValid()) return null;
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return null;
  return parsed.nationalNumber;
}
