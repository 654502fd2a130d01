// A line of a registration file (`phone,refused`) as a row of its batch, and a batch's rows sealed in key
// order: what the line-ordered import (subscriber-import.ts) and the hash-ordered one (hash-ordered-import.ts)
// share.
import type { SealPool } from '../privacy/seal-pool';
import { unquote } from '../imports/import-files';
import { normalizeNumber } from '../protection/numbers';
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode } from '../protection/preferences';
import { viewKeyOf } from '../protection/subscriber-profile';
import { DEFAULTS, type Row } from './subscriber-batch-write';

/** The optional header line. */
export const HEADER = /^\s*"?phone"?\s*(,|$)/i;

export type SubscriberRejectReason = 'too_many_fields' | 'bad_phone' | 'bad_category';

const CODE_OF = new Map<string, CategoryCode>([...CATEGORY_CODES.map((c) => [c, c] as const), ...Object.entries(CATEGORY_NAMES).map(([c, n]) => [n, c as CategoryCode] as const)]);
const MARKETING = CATEGORY_CODES.filter((c) => c !== 'fraud');
// Every reader of protection_settings fills what a document leaves out with the defaults, so an imported
// row stores '{}' for what the file does not state (DEFAULTS, see subscriber-batch-write.ts).

/** The category modes a `refused` field states, as stored JSON (one string per distinct field). */
const modesCache = new Map<string, { json: string; all: boolean } | null>();
export function modesOf(refused: string): { json: string; all: boolean } | null {
  const cached = modesCache.get(refused);
  if (cached !== undefined) return cached;
  let out: { json: string; all: boolean } | null;
  const codes = refused === '' ? new Set<CategoryCode>(MARKETING) : new Set<CategoryCode>();
  let bad = false;
  if (refused !== '')
    for (const part of refused.split('|')) {
      const c = CODE_OF.get(part.trim());
      if (c) codes.add(c);
      else bad = true;
    }
  if (bad) out = null;
  else {
    const modes = {} as Record<CategoryCode, CategoryMode>;
    for (const c of CATEGORY_CODES) modes[c] = c === 'fraud' || codes.has(c) ? 'block' : 'allow';
    const all = MARKETING.every((c) => codes.has(c));
    out = { json: all ? DEFAULTS : JSON.stringify(modes), all };
  }
  if (modesCache.size < 10_000) modesCache.set(refused, out);
  return out;
}

/** A batch as read: each phone once (a later line wins, as it would in a later batch), not yet sealed. */
export class ReadBatch {
  constructor(
    readonly phones: string[] = [],
    readonly modes: string[] = [],
    readonly allRefused: boolean[] = [],
    /** The phones' lookup hashes when known already (the hash-ordered import computed them to sort). */
    readonly hashes?: string[],
  ) {}

  /** Accepted lines that named each phone. */
  readonly lines: number[] = [];
  private readonly at = new Map<string, number>();

  add(text: string): SubscriberRejectReason | null {
    const f = text.split(',');
    if (f.length > 2) return 'too_many_fields';
    const n = normalizeNumber(unquote(f[0]));
    if (n.kind !== 'mobile') return 'bad_phone';
    const modes = modesOf(unquote(f[1] ?? ''));
    if (!modes) return 'bad_category';
    let i = this.at.get(n.value);
    if (i === undefined) {
      this.at.set(n.value, (i = this.phones.length));
      this.phones.push(n.value);
      this.lines.push(0);
    }
    this.lines[i]++;
    this.modes[i] = modes.json;
    this.allRefused[i] = modes.all;
    return null;
  }

  get size(): number {
    return this.phones.length;
  }

}

/** Sealed rows in key order (the order of every hash-keyed index they go into). */
export async function sealed(pool: SealPool, b: ReadBatch): Promise<Row[]> {
  const { hashes, ciphers } = b.hashes ? { hashes: b.hashes, ciphers: await pool.encrypt(b.phones) } : await pool.seal(b.phones);
  const rows = hashes.map((hash, i): Row => {
    const { key, check } = viewKeyOf(hash);
    return { ord: 0, hash, key, check, cipher: ciphers[i], modes: b.modes[i], allRefused: b.allRefused[i], subscriberId: 0 };
  });
  rows.sort((x, y) => x.key - y.key || x.check - y.check);
  rows.forEach((r, i) => (r.ord = i));
  return rows;
}

