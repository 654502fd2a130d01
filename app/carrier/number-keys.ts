// The form a number is hashed in, so that an interception's callee finds its phone_binding row (whose
// phoneHash is the lookup hash of the 11-digit mobile) and a caller groups with itself however spelt.
import { parseMainlandMobile } from '../binding/mobile';

export function numberKey(raw: string): string {
  return parseMainlandMobile(raw) ?? raw.replace(/[\s\-()（）]/g, '');
}
