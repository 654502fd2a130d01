// The subscriber view's cold load (subscriber-view.ts): two reads, each in its table's own order — the
// view's enrolled rows (hash order, keyset pages on the primary key), then the bindings (id order) — each
// binding matched in memory to its row by hash and its number opened. A join in hash order would read the
// bindings at random (minutes for a million rows on a small buffer pool). A row and a binding that
// disagree are a change under way: the change log replays it once the load is done.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { numberKey } from './number-key';
import { directoryOf, lowerBound } from './sorted-keys';
import { scanBindings, scanView } from './subscriber-changes';
import { PROFILE, viewKeyOf } from './subscriber-profile';
import { HashIndex, sortedByNumber, type NumberArrays } from './view-arrays';

interface Rows {
  keys: Float64Array;
  checks: Uint32Array;
  sids: Uint32Array;
  profiles: Uint8Array;
  size: number;
}

/**
 * The number key of a sealed phone, or NaN when the seal does not open (a corrupt row, a foreign key): that
 * one phone is not held, rather than the whole view never becoming ready.
 */
export function openedNumber(vault: PhoneVault, sealed: string): number {
  try {
    return numberKey(vault.decrypt(sealed));
  } catch {
    return NaN;
  }
}

const allocate = (cap: number, size = 0): Rows => ({ keys: new Float64Array(cap), checks: new Uint32Array(cap), sids: new Uint32Array(cap), profiles: new Uint8Array(cap), size });

/** The view's enrolled rows in hash order (hash key, check, subscriber, profile). */
async function scanRows(db: DataSource, pageSize: number): Promise<Rows> {
  let cap = Math.max(1024, pageSize);
  let r = allocate(cap);
  let after = { key: -1, check: -1 };
  for (;;) {
    const page = await scanView(db, after, pageSize);
    if (r.size + page.length > cap) {
      cap = Math.max(cap * 2, r.size + page.length);
      const grown = allocate(cap, r.size);
      grown.keys.set(r.keys.subarray(0, r.size));
      grown.checks.set(r.checks.subarray(0, r.size));
      grown.sids.set(r.sids.subarray(0, r.size));
      grown.profiles.set(r.profiles.subarray(0, r.size));
      r = grown;
    }
    for (const row of page) {
      const i = r.size++;
      r.keys[i] = row.key;
      r.checks[i] = row.check;
      r.sids[i] = row.subscriberId;
      r.profiles[i] = row.profile;
    }
    if (page.length < pageSize) break;
    const last = page[page.length - 1];
    after = { key: last.key, check: last.check };
  }
  return r;
}

/** Every enrolled phone by number, the hash index, and the customised subscribers to read in full. */
export async function loadView(db: DataSource, vault: PhoneVault, pageSize: number): Promise<{ numbers: NumberArrays; hashes: HashIndex; customIds: number[] }> {
  const rows = await scanRows(db, pageSize);
  const n = rows.size;
  const numbers = new Float64Array(n).fill(NaN);
  const dir = directoryOf(rows.keys, n);
  let afterId = 0;
  for (;;) {
    const page = await scanBindings(db, afterId, pageSize);
    for (const b of page) {
      const h = viewKeyOf(b.phoneHash);
      for (let i = lowerBound(dir, rows.keys, n, h.key); i < n && rows.keys[i] === h.key; i++) {
        if (rows.checks[i] === h.check && rows.sids[i] === b.subscriberId) numbers[i] = openedNumber(vault, b.phoneCipher);
      }
    }
    if (page.length < pageSize) break;
    afterId = page[page.length - 1].id;
    await yieldToLoop();
  }
  // In hash order, less the rows without a number: the hash index as it is; then the arrays by number.
  const hashes = HashIndex.allocate(n);
  const sids = new Uint32Array(n);
  const profiles = new Uint8Array(n);
  let m = 0;
  const customIds: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(numbers[i])) continue;
    hashes.push(rows.keys[i], numbers[i]);
    numbers[m] = numbers[i];
    sids[m] = rows.sids[i];
    profiles[m++] = rows.profiles[i];
    if (rows.profiles[i] === PROFILE.custom) customIds.push(rows.sids[i]);
  }
  return { numbers: sortedByNumber(numbers, sids, profiles, m), hashes: hashes.trimmed(), customIds };
}
