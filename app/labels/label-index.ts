// The hot path's labels: every live label of every number in sorted typed arrays (no object per label),
// found by binary search, with a small overlay of recent changes merged in from time to time.
//
// Per label: key Float64 (8 B) + meta Uint8 (1 B: category and source) + confidence Uint8 (1 B) +
// last-seen day Uint16 (2 B) + expiry minute Uint32 (4 B) = 16 bytes, plus 1/8 byte of directory.
// 10 million labels: 160 MB, plus the same again while a merge builds the next arrays.
// docs/decisions.md has measured figures.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { LabelHit } from '../protection/decide';
import { isLabelCategory, metaCategory, metaSource, packMeta, type LabelCategory, type LabelSource } from './categories';
import { LabelArrays as Arrays, type SortedLabelRow } from './label-arrays';
import { effectiveConfidence, fromByte, toByte } from './confidence';
import type { LabelRecord, LabelService } from './service';
import { numberKey } from '../protection/number-key';
import { type Repeating, repeatWithoutOverlap } from '../repeat';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const EMPTY: readonly LabelHit[] = Object.freeze([]) as readonly LabelHit[];
/** Slots of the lookup memo (a power of two). */
const MEMO_SLOTS = 512;

interface Overlay {
  meta: number;
  conf: number;
  seenDay: number;
  expMin: number;
  /** A removal: hides the base array's label of the same category. */
  removed: boolean;
}

export interface LabelIndexOptions {
  /** How often changes are polled from the database. */
  pollMs?: number;
  /** Changes fetched per poll round trip. */
  pageSize?: number;
  /** Merge the overlay into the arrays once it holds this many labels… */
  mergeAt?: number;
  /** …or once it is this old. */
  mergeEveryMs?: number;
  onError?: (e: unknown) => void;
}

function hit(meta: number, conf: number, seenDay: number, nowMs: number): LabelHit {
  const source = metaSource(meta);
  return { category: metaCategory(meta), source, confidence: effectiveConfidence(fromByte(conf), seenDay * DAY_MS, source, nowMs) };
}

export class LabelIndex {
  private base = Arrays.allocate(0);
  /** Changes since the arrays were built: key → (category → change). */
  private live = new Map<number, Map<number, Overlay>>();
  /** The overlay a running merge is folding into the next arrays; still consulted until the swap. */
  private frozen: Map<number, Map<number, Overlay>> | null = null;
  private liveCount = 0;
  private cursor = 0;
  private lastMerge = Date.now();
  private polling?: Repeating;
  private readonly pollMs: number;
  private readonly pageSize: number;
  private readonly mergeAt: number;
  private readonly mergeEveryMs: number;
  // The last answers by key, for one moment: a batch decides all its calls at one server time, and a
  // caller that rings many callees (the marketers labels are about) is looked up and decayed once, not
  // once per call. Direct-mapped; any change to what the index holds empties it.
  private readonly memoKeys = new Float64Array(MEMO_SLOTS).fill(NaN);
  private readonly memoNow = new Float64Array(MEMO_SLOTS);
  private readonly memoHits: (readonly LabelHit[])[] = new Array<readonly LabelHit[]>(MEMO_SLOTS).fill(EMPTY);

  constructor(
    private readonly labels: Pick<LabelService, 'changesSince' | 'scanLive' | 'currentVersion'> | null,
    private readonly opts: LabelIndexOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.pageSize = opts.pageSize ?? 10_000;
    this.mergeAt = opts.mergeAt ?? 100_000;
    this.mergeEveryMs = opts.mergeEveryMs ?? 10 * 60_000;
  }

  /** Labels in the arrays plus those in the overlay (an overlay removal counts as one). */
  get size(): number {
    return this.base.size + this.liveCount;
  }

  /** The feed version this index has caught up to. */
  get version(): number {
    return this.cursor;
  }

  /** Bytes held by the arrays (the overlay is small and not counted). */
  get arrayBytes(): number {
    const b = this.base;
    return b.keys.byteLength + b.meta.byteLength + b.conf.byteLength + b.seenDay.byteLength + b.expMin.byteLength + b.directory.byteLength;
  }

  /**
   * A number's labels that are live at `nowMs`, confidence decayed to then. `key` from numberKey().
   * Unlabelled numbers (almost all) return one shared empty array: no allocation.
   */
  lookupKey(key: number, nowMs: number): readonly LabelHit[] {
    const slot = (Math.imul((key >>> 0) ^ ((key / 4294967296) >>> 0), 0x9e3779b1) >>> 0) & (MEMO_SLOTS - 1);
    if (this.memoKeys[slot] === key && this.memoNow[slot] === nowMs) return this.memoHits[slot];
    const hits = this.lookupUncached(key, nowMs);
    this.memoKeys[slot] = key;
    this.memoNow[slot] = nowMs;
    this.memoHits[slot] = hits;
    return hits;
  }

  /** What the index holds changed: remembered answers may be stale. */
  private forget(): void {
    this.memoKeys.fill(NaN);
  }

  private lookupUncached(key: number, nowMs: number): readonly LabelHit[] {
    const b = this.base;
    let i = b.lowerBound(key);
    const liveHere = this.live.size ? this.live.get(key) : undefined;
    const frozenHere = this.frozen ? this.frozen.get(key) : undefined;
    if ((i >= b.size || b.keys[i] !== key) && !liveHere && !frozenHere) return EMPTY;
    const nowMin = nowMs / MINUTE_MS;
    const out: LabelHit[] = [];
    for (; i < b.size && b.keys[i] === key; i++) {
      const cat = b.meta[i] & 31;
      if (liveHere?.has(cat) || frozenHere?.has(cat)) continue;
      if (b.expMin[i] !== 0 && b.expMin[i] <= nowMin) continue;
      out.push(hit(b.meta[i], b.conf[i], b.seenDay[i], nowMs));
    }
    if (frozenHere)
      for (const [cat, o] of frozenHere) {
        if (liveHere?.has(cat) || o.removed || (o.expMin !== 0 && o.expMin <= nowMin)) continue;
        out.push(hit(o.meta, o.conf, o.seenDay, nowMs));
      }
    if (liveHere)
      for (const o of liveHere.values()) {
        if (o.removed || (o.expMin !== 0 && o.expMin <= nowMin)) continue;
        out.push(hit(o.meta, o.conf, o.seenDay, nowMs));
      }
    return out.length ? out : EMPTY;
  }

  lookup(number: string, nowMs = Date.now()): readonly LabelHit[] {
    const key = numberKey(number);
    return Number.isNaN(key) ? EMPTY : this.lookupKey(key, nowMs);
  }

  /** Applies feed changes to the overlay (in version order). */
  apply(changes: readonly LabelRecord[]): void {
    if (changes.length) this.forget();
    for (const c of changes) {
      if (c.version > this.cursor) this.cursor = c.version;
      const key = numberKey(c.number);
      if (Number.isNaN(key) || !isLabelCategory(c.category)) continue;
      const meta = packMeta(c.category, c.source);
      let byCat = this.live.get(key);
      if (!byCat) this.live.set(key, (byCat = new Map()));
      if (!byCat.has(meta & 31)) this.liveCount++;
      byCat.set(meta & 31, {
        meta,
        conf: toByte(c.confidence),
        seenDay: Math.floor(c.lastSeen.getTime() / DAY_MS),
        expMin: c.expiresAt ? Math.ceil(c.expiresAt.getTime() / MINUTE_MS) : 0,
        removed: c.tombstone,
      });
    }
  }

  /** Builds the arrays from sorted rows (keys ascending), replacing whatever was there. */
  loadSorted(rows: Iterable<SortedLabelRow>, sizeHint = 1024): void {
    let a = Arrays.allocate(sizeHint);
    let n = 0;
    let prev = -Infinity;
    for (const r of rows) {
      if (r.key < prev) throw new Error('label rows must come in key order');
      prev = r.key;
      if (n === a.keys.length) a = a.withSize(n).grow(Math.max(1024, n * 2));
      a.put(n++, r);
    }
    this.base = a.withSize(n).compact().withDirectory();
    this.forget();
  }

  /**
   * Loads every live label from the database, then catches up on what changed meanwhile. The version is
   * read before the scan, so a change racing the scan is applied again from the feed (harmless: last wins).
   */
  async build(pageSize = 100_000): Promise<void> {
    if (!this.labels) throw new Error('no label source');
    const startVersion = await this.labels.currentVersion();
    const labels = this.labels;
    let afterKey = -1;
    let a = Arrays.allocate(Math.max(1024, pageSize));
    let n = 0;
    for (;;) {
      const page = await labels.scanLive(afterKey, pageSize);
      for (const r of page.rows) {
        if (!isLabelCategory(r.category)) continue;
        if (n === a.keys.length) a = a.withSize(n).grow(n * 2);
        a.put(n++, r);
      }
      afterKey = page.lastKey;
      if (page.done) break;
    }
    this.base = a.withSize(n).compact().withDirectory();
    this.live = new Map();
    this.forget();
    this.liveCount = 0;
    this.cursor = startVersion;
    this.lastMerge = Date.now();
    await this.refresh();
  }

  /** Pulls every change since the cursor into the overlay; merges when the overlay is due. */
  async refresh(): Promise<number> {
    if (!this.labels) return 0;
    let applied = 0;
    for (;;) {
      const page = await this.labels.changesSince(this.cursor, this.pageSize);
      this.apply(page.changes);
      applied += page.changes.length;
      if (!page.more) break;
    }
    if (!this.frozen && this.liveCount > 0 && (this.liveCount >= this.mergeAt || Date.now() - this.lastMerge >= this.mergeEveryMs)) await this.merge();
    return applied;
  }

  /**
   * Folds the overlay into new arrays, dropping removals and expired labels, in time slices that yield to
   * the event loop (a 10M merge must not stall decisions). Lookups meanwhile read the old arrays plus both
   * overlays; changes arriving meanwhile go to a fresh overlay.
   */
  async merge(o: { nowMs?: number; sliceMs?: number; checkEvery?: number } = {}): Promise<void> {
    const nowMs = o.nowMs ?? Date.now();
    const sliceMs = o.sliceMs ?? 2;
    const checkEvery = o.checkEvery ?? 4096;
    if (this.frozen) return;
    const frozen = this.live;
    this.frozen = frozen;
    this.live = new Map();
    this.forget();
    const frozenCount = this.liveCount;
    this.liveCount = 0;
    try {
      const deltaKeys = Float64Array.from(frozen.keys()).sort();
      await yieldToLoop();
      const b = this.base;
      const out = Arrays.allocate(b.size + frozenCount);
      await yieldToLoop();
      const nowMin = nowMs / MINUTE_MS;
      let n = 0;
      let i = 0;
      let j = 0;
      let work = 0;
      let sliceStart = performance.now();
      const push = (key: number, meta: number, conf: number, seenDay: number, expMin: number) => {
        if (expMin !== 0 && expMin <= nowMin) return;
        out.keys[n] = key;
        out.meta[n] = meta;
        out.conf[n] = conf;
        out.seenDay[n] = seenDay;
        out.expMin[n] = expMin;
        n++;
      };
      while (i < b.size || j < deltaKeys.length) {
        const bk = i < b.size ? b.keys[i] : Infinity;
        const dk = j < deltaKeys.length ? deltaKeys[j] : Infinity;
        if (bk < dk) {
          push(bk, b.meta[i], b.conf[i], b.seenDay[i], b.expMin[i]);
          i++;
        } else {
          const changes = frozen.get(dk)!;
          for (; i < b.size && b.keys[i] === dk; i++) if (!changes.has(b.meta[i] & 31)) push(dk, b.meta[i], b.conf[i], b.seenDay[i], b.expMin[i]);
          for (const o of changes.values()) if (!o.removed) push(dk, o.meta, o.conf, o.seenDay, o.expMin);
          j++;
        }
        // Yield by the clock, not by a count: whatever the machine's speed, a decision waits at most ~sliceMs.
        if (++work % checkEvery === 0 && performance.now() - sliceStart >= sliceMs) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
      // Removals leave little slack; copying 10M labels again to reclaim it is not worth the peak memory.
      const merged = out.withSize(n);
      this.base = (n < out.keys.length * 0.95 ? merged.compact() : merged).withDirectory();
      this.forget();
      this.lastMerge = Date.now();
    } catch (e) {
      // Keep the changes: put them back under anything newer.
      for (const [k, byCat] of frozen) {
        const newer = this.live.get(k);
        if (!newer) this.live.set(k, byCat);
        else for (const [c, o] of byCat) if (!newer.has(c)) newer.set(c, o);
      }
      this.liveCount = [...this.live.values()].reduce((s, m) => s + m.size, 0);
      throw e;
    } finally {
      this.frozen = null;
      this.forget();
    }
  }

  /** Polls for changes every pollMs. build() first. */
  start(): void {
    if (this.polling || !this.labels) return;
    this.polling = repeatWithoutOverlap(this.pollMs, () => this.refresh(), (e) => this.opts.onError?.(e));
  }

  async stop(): Promise<void> {
    await this.polling?.stop();
    this.polling = undefined;
  }
}
