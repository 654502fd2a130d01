// Every enrolled callee's decision-relevant preferences, in memory, in every deciding process: a screen
// for an enrolled or an unknown callee reads nothing but this (and the label index).
//
// Per enrolled phone: lookup-hash key Float64 (8 B) + check Uint32 (4 B) + subscriber id Uint32 (4 B) +
// profile Uint8 (1 B) = 17 bytes, plus 1/8 byte of directory. The profile says "on, protective default"
// or "paused" (both answered from one shared Preferences object) or "customised" (whose whole Preferences
// sit in a Map by subscriber id: a few hundred bytes to a few kilobytes each, lists included).
//
// Loaded at start in key order from subscriber_view (the table's primary key), then kept fresh from the
// same table's versions: polled every pollMs, and at once when the store's `prefs:changed` channel says
// something changed (a nudge only: a lost announcement costs at most one poll interval, never a change).
// Changes land in a small overlay, merged into new arrays in time slices once it grows.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { followChanges, PREFS_CHANNEL } from '../settings/changes';
import type { Store } from '../store';
import { compiledListsOf } from './list-match';
import type { ListItem, Preferences } from './preferences';
import { currentViewVersion, customPreferences, scanView, viewChangesSince, type ViewRow } from './subscriber-changes';
import { directoryOf, lowerBound } from './sorted-keys';
import { PROFILE, sharedPreferences, viewKeyOf } from './subscriber-profile';

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

interface Entry {
  check: number;
  subscriberId: number;
  profile: number;
}

class Arrays {
  directory: Float64Array = new Float64Array(0);
  constructor(
    readonly keys: Float64Array,
    readonly checks: Uint32Array,
    readonly sids: Uint32Array,
    readonly profiles: Uint8Array,
    public size: number,
  ) {}

  static allocate(capacity: number): Arrays {
    return new Arrays(new Float64Array(capacity), new Uint32Array(capacity), new Uint32Array(capacity), new Uint8Array(capacity), 0);
  }

  push(key: number, check: number, sid: number, profile: number): void {
    const n = this.size++;
    this.keys[n] = key;
    this.checks[n] = check;
    this.sids[n] = sid;
    this.profiles[n] = profile;
  }

  /** A copy with room for `capacity` (growth while loading) or trimmed to size (capacity = size). */
  resized(capacity: number): Arrays {
    const a = Arrays.allocate(capacity);
    const n = Math.min(this.size, capacity);
    a.keys.set(this.keys.subarray(0, n));
    a.checks.set(this.checks.subarray(0, n));
    a.sids.set(this.sids.subarray(0, n));
    a.profiles.set(this.profiles.subarray(0, n));
    a.size = n;
    return a;
  }

  withDirectory(): Arrays {
    this.directory = directoryOf(this.keys, this.size);
    return this;
  }

  get bytes(): number {
    return this.keys.byteLength + this.checks.byteLength + this.sids.byteLength + this.profiles.byteLength + this.directory.byteLength;
  }

  /** Position of (key, check), or −1. */
  find(key: number, check: number): number {
    const keys = this.keys;
    for (let i = lowerBound(this.directory, keys, this.size, key); i < this.size && keys[i] === key; i++) if (this.checks[i] === check) return i;
    return -1;
  }
}

export class SubscriberView {
  private base = Arrays.allocate(0).withDirectory();
  /** Changes since the arrays were built: key → entries (almost always one); profile 0 = gone. */
  private live = new Map<number, Entry[]>();
  /** The overlay a running merge is folding in; consulted until the swap. */
  private frozen: Map<number, Entry[]> | null = null;
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
    for (const es of this.live.values()) for (const e of es) n += e.profile === PROFILE.gone ? 0 : 1;
    return n;
  }

  get customised(): number {
    return this.custom.size;
  }

  get arrayBytes(): number {
    return this.base.bytes;
  }

  /**
   * Preferences of a normalised mainland mobile, or null when it is not enrolled (or off). Synchronous:
   * one keyed hash and a binary search in memory.
   */
  get(callee: string): Preferences | null {
    const { key, check } = viewKeyOf(this.deps.vault.lookupHash(callee));
    return this.getKey(key, check);
  }

  getKey(key: number, check: number): Preferences | null {
    const e = this.entry(this.live, key, check) ?? (this.frozen ? this.entry(this.frozen, key, check) : undefined);
    let profile: number;
    let sid: number;
    if (e) {
      profile = e.profile;
      sid = e.subscriberId;
    } else {
      const i = this.base.find(key, check);
      if (i < 0) return null;
      profile = this.base.profiles[i];
      sid = this.base.sids[i];
    }
    const shared = sharedPreferences(profile);
    if (shared !== undefined) return shared;
    // Customised but its settings were gone when read: a deletion under way, answered as not enrolled.
    return this.custom.get(sid) ?? null;
  }

  private entry(m: Map<number, Entry[]>, key: number, check: number): Entry | undefined {
    if (m.size === 0) return undefined;
    const es = m.get(key);
    if (!es) return undefined;
    for (const e of es) if (e.check === check) return e;
    return undefined;
  }

  /** Loads every enrolled phone in key order, then what changed meanwhile; ready after that. */
  async build(): Promise<void> {
    const db = this.deps.db;
    const started = performance.now();
    // Read before the scan: a change racing the scan is applied again from the log (harmless: last wins).
    const startVersion = await currentViewVersion(db);
    let a = Arrays.allocate(Math.max(1024, this.pageSize));
    const customIds: number[] = [];
    let after = { key: -1, check: -1 };
    for (;;) {
      const page = await scanView(db, after, this.pageSize);
      if (a.size + page.length > a.keys.length) a = a.resized(Math.max(a.keys.length * 2, a.size + page.length));
      for (const r of page) {
        a.push(r.key, r.check, r.subscriberId, r.profile);
        if (r.profile === PROFILE.custom) customIds.push(r.subscriberId);
      }
      if (page.length < this.pageSize) break;
      const last = page[page.length - 1];
      after = { key: last.key, check: last.check };
    }
    this.base = a.resized(a.size).withDirectory();
    this.custom.clear();
    for (const [id, p] of await customPreferences(db, this.deps.vault, customIds)) this.keepCustom(id, p);
    this.live = new Map();
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
      let es = this.live.get(r.key);
      if (!es) this.live.set(r.key, (es = []));
      const e = es.find((x) => x.check === r.check);
      if (e) {
        e.subscriberId = r.subscriberId;
        e.profile = r.profile;
      } else es.push({ check: r.check, subscriberId: r.subscriberId, profile: r.profile });
      if (r.profile === PROFILE.custom) {
        const p = loaded.get(r.subscriberId);
        if (p) this.keepCustom(r.subscriberId, p);
        else this.custom.delete(r.subscriberId);
      } else this.custom.delete(r.subscriberId);
      if (r.version > this.cursor) this.cursor = r.version;
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
      if (!this.frozen && this.liveCount() >= this.mergeAt) await this.merge();
    })()
      .catch((e) => this.opts.onError?.(e))
      .finally(() => (this.polling = null));
    return this.polling;
  }

  private liveCount(): number {
    return this.live.size;
  }

  /** Folds the overlay into new arrays in time slices (decisions keep reading the old ones meanwhile). */
  async merge(sliceMs = 2): Promise<void> {
    if (this.frozen) return;
    const frozen = this.live;
    this.frozen = frozen;
    this.live = new Map();
    try {
      const deltaKeys = Float64Array.from(frozen.keys()).sort();
      const b = this.base;
      const out = Arrays.allocate(b.size + frozen.size * 2);
      let i = 0;
      let j = 0;
      let work = 0;
      let sliceStart = performance.now();
      while (i < b.size || j < deltaKeys.length) {
        const bk = i < b.size ? b.keys[i] : Infinity;
        const dk = j < deltaKeys.length ? deltaKeys[j] : Infinity;
        if (bk < dk) {
          out.push(bk, b.checks[i], b.sids[i], b.profiles[i]);
          i++;
        } else {
          const es = frozen.get(dk)!;
          const kept: Entry[] = [];
          for (; i < b.size && b.keys[i] === dk; i++) if (!es.some((e) => e.check === b.checks[i])) kept.push({ check: b.checks[i], subscriberId: b.sids[i], profile: b.profiles[i] });
          for (const e of es) if (e.profile !== PROFILE.gone) kept.push(e);
          kept.sort((x, y) => x.check - y.check);
          for (const e of kept) out.push(dk, e.check, e.subscriberId, e.profile);
          j++;
        }
        if (++work % 4096 === 0 && performance.now() - sliceStart >= sliceMs) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
      this.base = out.resized(out.size).withDirectory();
    } catch (e) {
      for (const [k, es] of frozen) if (!this.live.has(k)) this.live.set(k, es);
      throw e;
    } finally {
      this.frozen = null;
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
