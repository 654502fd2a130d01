// Which numbers each marketer key holds (it scrubbed them or recorded a consent for them): the changes
// feed answers a key about these numbers and no others. One row per request in marketer_watch_list, the
// request's distinct numbers as one sealed sorted set of number keys (watch-blob.ts): a 10,000-number
// scrub costs one insert and no keyed hash. The feed, in any process, reads a key's sets back and keeps
// them in memory by row id (rows are only ever added or purged, never changed), so a scrub recorded by
// another process is seen at its next page.
import type { DataSource } from 'typeorm';
import { toSqlTime } from '../labels/sql';
import { numberKey } from '../protection/number-key';
import { holds, sortedDistinct, type WatchSealer } from './watch-blob';

type Raw = Record<string, unknown>;

/** The numbers a key holds now, as the feed tests them. */
export interface Held {
  readonly size: number;
  has(key: number): boolean;
}

/** A key's numbers as one ascending array (every row's set merged) and the ids of the rows merged in. */
class KeySets implements Held {
  ids = new Set<number>();
  keys: Float64Array<ArrayBufferLike> = new Float64Array(0);

  get size(): number {
    return this.keys.length;
  }

  has(key: number): boolean {
    return holds(this.keys, key);
  }
}

/** The union of two ascending arrays of distinct keys, ascending and distinct, in one pass. */
function merge(a: Float64Array<ArrayBufferLike>, b: Float64Array<ArrayBufferLike>): Float64Array<ArrayBufferLike> {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x < y) out[n++] = a[i++];
    else if (y < x) out[n++] = b[j++];
    else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  return n === out.length ? out : out.slice(0, n);
}

export class WatchList {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cache = new Map<string, KeySets>();

  constructor(
    private readonly db: DataSource,
    private readonly sealer: WatchSealer,
  ) {}

  /**
   * Remembers a request's distinct number keys (ascending) in the background: a scrub answers without
   * waiting for the write. A write that fails is logged and not retried (the next scrub of those numbers
   * writes them again); the changes feed waits for this process's writes in flight (settled()).
   */
  recordLater(keyId: string, keys: Float64Array, now = Date.now(), onError?: (e: unknown) => void): void {
    if (keys.length === 0) return;
    const p = this.write(keyId, keys, now).catch((e) => onError?.(e));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once every background write started before the call has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Writes normalised numbers now, as one row. */
  async record(keyId: string, numbers: readonly string[], now = Date.now()): Promise<void> {
    const keys = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) keys[i] = numberKey(numbers[i]);
    await this.write(keyId, sortedDistinct(keys), now);
  }

  private async write(keyId: string, keys: Float64Array, now: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db.query(`INSERT INTO marketer_watch_list (keyId, size, numbers, seenAt) VALUES (?, ?, ?, ?)`, [keyId, keys.length, this.sealer.seal(keys), toSqlTime(new Date(now))]);
  }

  /**
   * The numbers `keyId` holds, as the database has them now. Only the merged array is kept (8 bytes a
   * distinct number): new rows are merged in; a purged row (the retention worker, once an hour) makes the
   * key's array be rebuilt from the rows left.
   */
  async held(keyId: string): Promise<Held> {
    const ids = ((await this.db.query(`SELECT id FROM marketer_watch_list WHERE keyId = ?`, [keyId])) as Raw[]).map((r) => Number(r.id));
    let sets = this.cache.get(keyId);
    if (!sets) this.cache.set(keyId, (sets = new KeySets()));
    const present = new Set(ids);
    let gone = false;
    for (const id of sets.ids) if (!present.has(id)) gone = true;
    if (gone) {
      const fresh = new KeySets();
      await this.load(fresh, ids);
      this.cache.set(keyId, fresh);
      return fresh;
    }
    await this.load(
      sets,
      ids.filter((id) => !sets.ids.has(id)),
    );
    return sets;
  }

  /** Merges the rows `ids` into `sets`: the new sets sorted together once, then one pass over the old array. */
  private async load(sets: KeySets, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const opened: Float64Array[] = [];
    let n = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const part = ids.slice(i, i + 200);
      const rows = (await this.db.query(`SELECT id, numbers FROM marketer_watch_list WHERE id IN (${part.map(() => '?').join(',')})`, part)) as Raw[];
      for (const r of rows) {
        const keys = this.sealer.open(String(r.numbers));
        opened.push(keys);
        n += keys.length;
        sets.ids.add(Number(r.id));
      }
    }
    let added: Float64Array<ArrayBufferLike> = opened.length === 1 ? opened[0] : new Float64Array(n);
    if (opened.length > 1) {
      let p = 0;
      for (const k of opened) {
        added.set(k, p);
        p += k.length;
      }
      added = sortedDistinct(added);
    }
    sets.keys = sets.keys.length ? merge(sets.keys, added) : added;
  }

  /** Forgets the requests older than `cutoff`: a number not scrubbed again since leaves the key's feed. */
  async purgeUnseenSince(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM marketer_watch_list WHERE seenAt < ?`, [toSqlTime(cutoff)]);
    // Rows of the per-number table this one replaced, until the last has aged out.
    await this.db.query(`DELETE FROM marketer_watch WHERE seenAt < ?`, [toSqlTime(cutoff)]);
  }
}
