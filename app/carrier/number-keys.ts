// The form a number is hashed in, so that an interception's callee finds its phone_binding row (whose
// phoneHash is the lookup hash of the 11-digit mobile) and a caller groups with itself however spelt.
import { normalizeNumber } from '../protection/numbers';

export function numberKey(raw: string): string {
  return normalizeNumber(raw).value || raw.trim();
}
