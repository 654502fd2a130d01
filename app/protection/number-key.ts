// A normalised number as one exact double, so that millions of them sort and search in a Float64Array.
//
// Normal forms are digit strings with at most one leading marker: '0' (landlines, whose trunk 0 cannot
// be dropped without colliding with another number) or '+' (foreign E.164). The key is
//   marker × 10^15 + digits,  marker 0 = plain, 1 = leading '0', 2 = leading '+'.
// E.164 has at most 15 digits and a domestic number at most 12, so every key is below 3·10^15 < 2^53:
// exact in a double, and equal keys mean equal strings. The same value is the BIGINT `numberKey` column,
// which lets the index load in key order straight from the database.
const MARK = 1e15;

/** The key of a normalised number, or NaN for anything that is not a normal form. */
export function numberKey(value: string): number {
  let marker = 0;
  let digits = value;
  const c = value.charCodeAt(0);
  if (c === 43 /* + */) {
    marker = 2;
    digits = value.slice(1);
  } else if (c === 48 /* 0 */) {
    marker = 1;
    digits = value.slice(1);
  }
  if (digits.length === 0 || digits.length > 15 || digits.charCodeAt(0) === 48) return NaN;
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return marker * MARK + n;
}

/** The normalised number a key stands for. */
export function numberFromKey(key: number): string {
  const marker = Math.floor(key / MARK);
  const digits = String(key - marker * MARK);
  return marker === 2 ? `+${digits}` : marker === 1 ? `0${digits}` : digits;
}
