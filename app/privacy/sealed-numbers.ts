// Third parties' numbers at rest, sealed like bindings (phone-vault.ts): where a table must find a number it
// keeps the keyed lookup hash, and the number itself only as ciphertext. Number segments (`400`, `95`,
// `170`) and groups (`international`) are nobody's number and stay readable, so the decision engine and
// the operators still see them as they are. The in-process decision structures hold numbers in clear:
// memory is not rest.
import type { PhoneVault } from './phone-vault';

export interface SealedListValue {
  /** What the row is found by: the segment or group itself, or an exact number's lookup hash. */
  value: string;
  valueCipher: string | null;
}

/** The stored form of a list entry's value. */
export function sealListValue(vault: PhoneVault, kind: string, value: string): SealedListValue {
  return kind === 'exact' ? { value: vault.lookupHash(value), valueCipher: vault.encrypt(value) } : { value, valueCipher: null };
}

/** The key a list entry is found by (the stored `value`), without sealing anything. */
export function listLookupValue(vault: PhoneVault, kind: string, value: string): string {
  return kind === 'exact' ? vault.lookupHash(value) : value;
}

/** The value as the subscriber wrote it (normal form), from a stored row. */
export function openListValue(vault: PhoneVault, row: { kind: string; value: string; valueCipher?: string | null }): string {
  return row.kind === 'exact' && row.valueCipher ? vault.decrypt(row.valueCipher) : row.value;
}

/** A reported number's stored form: found by its lookup hash, read back from its ciphertext. */
export function sealNumber(vault: PhoneVault, number: string): { number: string; numberCipher: string } {
  return { number: vault.lookupHash(number), numberCipher: vault.encrypt(number) };
}

export function openNumber(vault: PhoneVault, row: { number: string; numberCipher?: string | null }): string {
  return row.numberCipher ? vault.decrypt(row.numberCipher) : row.number;
}
