// Phone numbers never reach a log line, URL or template in full: 138****8000.
const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= 11) {
    const d = digits.slice(-11);
    return `${d.slice(0, 3)}****${d.slice(7)}`;
  }
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return '****';
}

/** Masks every mainland mobile number found inside free text (log messages, error strings). */
export function maskPhonesInText(text: string): string {
  return text.replace(MOBILE_IN_TEXT, (_m, a: string, _b: string, c: string) => `${a}****${c}`);
}
