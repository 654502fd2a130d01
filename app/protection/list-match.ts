// A subscriber's reject and allow lists as lookups: exact numbers in a set, number segments tried longest
// first, groups by kind. Built once per loaded Preferences (they are immutable once loaded).
import { normalizeNumber, type NormalizedNumber } from './numbers';
import type { ListItem, Preferences } from './preferences';

export type ListMatch = 'exact' | 'prefix' | 'group' | null;

export interface CompiledList {
  exact: Set<string>;
  /** Longest first, so the first hit is the longest matching segment. */
  prefixes: string[];
  groups: Set<string>;
}

const EMPTY: CompiledList = { exact: new Set(), prefixes: [], groups: new Set() };

export function compileList(items: readonly ListItem[]): CompiledList {
  if (items.length === 0) return EMPTY;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const groups = new Set<string>();
  for (const it of items) {
    if (it.kind === 'group') groups.add(it.value);
    else if (it.kind === 'prefix') prefixes.push(it.value);
    else {
      // Entries are stored normalised; normalising again costs nothing here and forgives an older spelling.
      const n = normalizeNumber(it.value);
      exact.add(n.kind === 'invalid' ? it.value : n.value);
    }
  }
  prefixes.sort((a, b) => b.length - a.length);
  return { exact, prefixes, groups };
}

export function matchList(list: CompiledList, n: NormalizedNumber): ListMatch {
  if (list === EMPTY) return null;
  if (list.exact.has(n.value)) return 'exact';
  for (const p of list.prefixes) if (n.value.startsWith(p)) return 'prefix';
  if ((n.kind === 'international' || n.kind === 'hmt') && list.groups.has(n.kind)) return 'group';
  return null;
}

export interface CompiledPreferences {
  allow: CompiledList;
  reject: CompiledList;
}

const compiledCache = new WeakMap<Preferences, CompiledPreferences>();

/** The lists of a Preferences object, compiled once per object. */
export function compiledListsOf(p: Preferences): CompiledPreferences {
  let c = compiledCache.get(p);
  if (!c) {
    c = { allow: compileList(p.allowList), reject: compileList(p.rejectList) };
    compiledCache.set(p, c);
  }
  return c;
}
