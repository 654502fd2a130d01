// Every enrolled callee's decision-relevant preferences, in memory, in every deciding process: a screen
// for an enrolled or an unknown callee reads nothing but this (and the label index).
//
// Keyed by the callee's number itself (view-arrays.ts): per enrolled phone, number key Float64 (8 B) +
// subscriber id Uint32 (4 B) + profile Uint8 (1 B), plus a hash index for applying the change log
// (lookup-hash prefix Float64 + number key Float64, 16 B): 29 bytes and 1/4 byte of directories. The
// numbers are opened from the bindings as they are read (at load and with each change-log row); in the
// database they stay sealed and hashed. The profile says "on, protective default" or "paused" (both
// answered from one shared Preferences object) or "customised" (whose whole Preferences sit in a Map by
// subscriber id: a few hundred bytes to a few kilobytes each, lists included).
//
// Loaded at start (view-load.ts), then kept fresh from subscriber_view's versions: polled every pollMs,
// and at once when the store's `prefs:changed` channel says something changed (a nudge only: a lost
// announcement costs at most one poll interval, never a change). Changes land in a small overlay, merged
// in time slices once it grows. A phone that left (unbound, off, deleted) is found through the hash index.
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { followChanges, PREFS_CHANNEL } from '../settings/changes';
import type { Store } from '../store';
import { compiledListsOf } from './list-match';
import type { ListItem, Preferences } from './preferences';
import { currentViewVersion, customPreferences, viewChangesSince, type ViewRow } from './subscriber-changes';
import { numberFromKey, numberKey } from './number-key';
import { PROFILE, sharedPreferences, viewKeyOf } from './subscriber-profile';
import { HashIndex, mergeHashes, mergeNumbers, NumberArrays, timeSlicer, type Entry } from './view-arrays';
import { loadView, openedNumber } from './view-load';

const NO_ITEMS: ListItem[] = [];

export interface SubscriberViewOptions {
  /** How often the change log is polled (a committed change is decided everywhere within about this). */
  pollMs?: number;
  /** Rows per page, cold load and polls. */
  pageSize?: number;
  /** The overlay is merged into the arrays once it holds this many phones. */
  mergeAt?: number;
  onError?: (e: unknown) => void;
}

export class SubscriberView {
  private base = NumberArrays.allocate(0).trimmed();
  private hashes = HashIndex.allocate(0).trimmed();
  /** Changes since the arrays were built: number key → entry; profile 0 = gone. */
  private live = new Map<number, Entry>();
  /** Hash prefixes learnt since the hash index was built: hash key → number keys. */
  private liveHashes = new Map<number, number[]>();
  /** The overlays a running merge is folding in; consulted until the swap. */
  private frozen: Map<number, Entry> | null = null;
  private frozenHashes: Map<number, number[]> | null = null;
  private readonly custom = new Map<number, Preferences>();
  private cursor = 0;
  private loaded = false;
  private timer?: NodeJS.Timeout;
  private polling: Promise<unknown> | null = null;
  private again = false;
  private unfollow?: () => void;
  private stopped = false;
  private readonly pollMs: number;
  private readonly pageSize: number;
  private readonly mergeAt: number;
  /** Seconds the cold load took (for /metrics and the benchmark). */
  loadSeconds = 0;

  constructor(
    private readonly deps: { db: DataSource; vault: PhoneVault; store?: Store },
    private readonly opts: SubscriberViewOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 250;
    this.pageSize = opts.pageSize ?? 100_000;
    this.mergeAt = opts.mergeAt ?? 50_000;
  }

  /** Loaded and following the log: until then the process is not ready (/readyz 503). */
  get ready(): boolean {
    return this.loaded;
  }

  /** The change-log version this view has caught up to. */
  get version(): number {
    return this.cursor;
  }

  /** Enrolled phones held (arrays plus overlay; approximate while a merge runs). */
  get size(): number {
    let n = this.base.size;
    for (const [k, e] of this.live) {
      const inBase = this.base.find(k) >= 0;
      if (e.profile === PROFILE.gone) n -= inBase ? 1 : 0;
      else n += inBase ? 0 : 1;
    }
    return n;
  }

  get customised(): number {
    return this.custom.size;
  }

  get arrayBytes(): number {
    return this.base.bytes + this.hashes.bytes;
  }

  /**
   * Preferences of a normalised mainland mobile, or null when it is not enrolled (or off). Synchronous,
   * no hashing: a Map probe of the overlay and a binary search by the number itself.
   */
  get(callee: string): Preferences | null {
    const key = numberKey(callee);
    return Number.isNaN(key) ? null : this.getNumber(key);
  }

  /** The same by number key (number-key.ts). */
  getNumber(key: number): Preferences | null {
    let profile: number;
    let sid: number;
    const e = this.live.size ? this.live.get(key) : undefined;
    const f = e ?? (this.frozen ? this.frozen.get(key) : undefined);
    if (f) {
      profile = f.profile;
      sid = f.subscriberId;
    } else {
      const i = this.base.find(key);
      if (i < 0) return null;
      profile = this.base.profiles[i];
      sid = this.base.sids[i];
    }
    const shared = sharedPreferences(profile);
    if (shared !== undefined) return shared;
    // Customised but its settings were gone when read: a deletion under way, answered as not enrolled.
    return this.custom.get(sid) ?? null;
  }

  /** The number key of a row's phone when its subscriber's binding is that phone (opened from its seal), else NaN. */
  private boundNumber(r: ViewRow): number {
    if (!r.binding) return NaN;
    const h = viewKeyOf(r.binding.phoneHash);
    if (h.key !== r.key || h.check !== r.check) return NaN;
    return openedNumber(this.deps.vault, r.binding.phoneCipher);
  }

  /** The number a row stands for: its binding's, or (a phone that left) the one the hash index knows. */
  private numberOf(r: ViewRow): number {
    const bound = this.boundNumber(r);
    if (!Number.isNaN(bound)) return bound;
    const candidates: number[] = [];
    for (const m of [this.liveHashes, this.frozenHashes]) {
      const ns = m?.get(r.key);
      if (ns) candidates.push(...ns);
    }
    this.hashes.numbersOf(r.key, candidates);
    // A hash prefix is 52 bits: the full 84 bits of the row tell two phones apart (rarely needed, off the hot path).
    for (const n of candidates) {
      const h = viewKeyOf(this.deps.vault.lookupHash(numberFromKey(n)));
      if (h.key === r.key && h.check === r.check) return n;
    }
    return NaN;
  }

  private learnHash(hashKey: number, n: number): void {
    const ns = this.liveHashes.get(hashKey);
    if (!ns) this.liveHashes.set(hashKey, [n]);
    else if (!ns.includes(n)) ns.push(n);
  }

  /** Loads every enrolled phone (view-load.ts), then what changed meanwhile; ready after that. */
  async build(): Promise<void> {
    const db = this.deps.db;
    const started = performance.now();
    // Read before the scans: a change racing them is applied again from the log (harmless: last wins).
    const startVersion = await currentViewVersion(db);
    const loaded = await loadView(db, this.deps.vault, this.pageSize);
    this.base = loaded.numbers;
    this.hashes = loaded.hashes;
    this.custom.clear();
    for (const [id, p] of await customPreferences(db, this.deps.vault, loaded.customIds)) this.keepCustom(id, p);
    this.live = new Map();
    this.liveHashes = new Map();
    this.cursor = startVersion;
    await this.pull();
    this.loadSeconds = (performance.now() - started) / 1000;
    this.loaded = true;
  }

  /** Equal preference groups of customised subscribers share one object (most differ in one group only). */
  private readonly interned = new Map<string, object>();

  private intern<T extends object>(o: T): T {
    const k = JSON.stringify(o);
    const found = this.interned.get(k);
    if (found) return found as T;
    if (this.interned.size < 100_000) this.interned.set(k, o);
    return o;
  }

  private keepCustom(id: number, p: Preferences): void {
    p.categoryModes = this.intern(p.categoryModes);
    p.behaviour = this.intern(p.behaviour);
    p.notices = this.intern(p.notices);
    p.options = this.intern(p.options);
    if (p.rejectList.length === 0) p.rejectList = NO_ITEMS;
    if (p.allowList.length === 0) p.allowList = NO_ITEMS;
    compiledListsOf(p); // compile the lists now, off the decision's clock
    this.custom.set(id, p);
  }

  /** Applies log rows in version order; the Preferences of customised ones are read first. */
  private async applyPage(rows: readonly ViewRow[]): Promise<void> {
    const ids = [...new Set(rows.filter((r) => r.profile === PROFILE.custom).map((r) => r.subscriberId))];
    const loaded = ids.length ? await customPreferences(this.deps.db, this.deps.vault, ids) : new Map<number, Preferences>();
    for (const r of rows) {
      if (r.version > this.cursor) this.cursor = r.version;
      const n = this.numberOf(r);
      // A phone this view never held that is not enrolled now: nothing to forget.
      if (Number.isNaN(n)) continue;
      this.learnHash(r.key, n);
      this.live.set(n, { subscriberId: r.subscriberId, profile: r.profile });
      if (r.profile === PROFILE.custom) {
        const p = loaded.get(r.subscriberId);
        if (p) this.keepCustom(r.subscriberId, p);
        else this.custom.delete(r.subscriberId);
      } else this.custom.delete(r.subscriberId);
    }
  }

  private async pull(): Promise<number> {
    let applied = 0;
    for (;;) {
      const page = await viewChangesSince(this.deps.db, this.cursor, 10_000);
      await this.applyPage(page.rows);
      applied += page.rows.length;
      if (!page.more) break;
      // A long backlog (an import of millions while running) is folded in as it comes, so the overlay
      // (about 100 bytes a phone, against 17 in the arrays) stays small.
      if (this.loaded && !this.frozen && this.live.size >= this.mergeAt) await this.merge();
    }
    return applied;
  }

  /** Catches up on the log now (polls and nudges share one run at a time; a nudge during a run runs again). */
  refresh(): Promise<unknown> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      do {
        this.again = false;
        await this.pull();
      } while (this.again && !this.stopped);
      if (!this.frozen && this.live.size >= this.mergeAt) await this.merge();
    })()
      .catch((e) => this.opts.onError?.(e))
      .finally(() => (this.polling = null));
    return this.polling;
  }

  /** Folds the overlays into new arrays in time slices (decisions keep reading the old ones meanwhile). */
  async merge(sliceMs = 2): Promise<void> {
    if (this.frozen) return;
    const frozen = this.live;
    const frozenHashes = this.liveHashes;
    this.frozen = frozen;
    this.frozenHashes = frozenHashes;
    this.live = new Map();
    this.liveHashes = new Map();
    try {
      const slice = timeSlicer(sliceMs);
      const { merged, gone } = await mergeNumbers(this.base, frozen, slice);
      const hashes = await mergeHashes(this.hashes, frozenHashes, gone, slice);
      this.base = merged;
      this.hashes = hashes;
    } catch (e) {
      for (const [k, x] of frozen) if (!this.live.has(k)) this.live.set(k, x);
      for (const [k, ns] of frozenHashes) for (const n of ns) this.learnHash(k, n);
      throw e;
    } finally {
      this.frozen = null;
      this.frozenHashes = null;
    }
  }

  /** Polls the log every pollMs and listens for nudges. build() first. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
    this.unfollow = followChanges(() => this.refresh());
    await this.deps.store?.subscribe(PREFS_CHANNEL, () => {
      if (!this.stopped && this.loaded) void this.refresh();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unfollow?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }
}
