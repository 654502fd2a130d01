// A callee's preferences for the decision path: from an in-process cache, almost always. A miss costs the
// database (binding by the number's lookup hash, then settings and lists); every preference writer
// announces its change on the store's 'prefs:changed' channel, and every process drops what it cached for
// that subscriber. Callees who are not enrolled are remembered too (negatively), so unknown numbers at
// carrier volume cost no database round trip.
import type { DataSource } from 'typeorm';
import { openListValue } from '../privacy/sealed-numbers';
import type { PhoneVault } from '../privacy/phone-vault';
import { PREFS_CHANNEL } from '../settings/changes';
import type { Store } from '../store';
import { compiledListsOf } from './list-match';
import { Lru } from './lru';
import {
  type BehaviourProtection,
  type CategoryCode,
  type CategoryMode,
  type NoticeSettings,
  type Preferences,
  type ProtectionOptions,
  preferencesOf,
} from './preferences';

export { PREFS_CHANNEL };

export interface PreferenceSourceOptions {
  /** Enrolled callees kept. */
  maxEntries?: number;
  /** Not-enrolled callees kept. */
  maxNegative?: number;
  /** A not-enrolled answer is trusted this long (an enrolment is also announced, see invalidate()). */
  negativeTtlMs?: number;
  /** Safety net against a lost announcement (pub/sub is fire-and-forget): entries are reloaded after this. */
  maxAgeMs?: number;
  onError?: (e: unknown) => void;
}

type Raw = Record<string, unknown>;

function json<T>(v: unknown): Partial<T> {
  if (v === null || v === undefined) return {};
  if (typeof v === 'object') return v as Partial<T>;
  try {
    return JSON.parse(String(v)) as Partial<T>;
  } catch {
    return {};
  }
}

const truthy = (v: unknown) => v === true || Number(v) === 1;

/** A settings row and list rows as a raw query returns them (JSON as text, booleans as 0/1), read by preferencesOf. */
export function preferencesFromRows(subscriberId: number, s: Raw | null, lists: Raw[]): Preferences {
  const stated = s && {
    enabled: truthy(s.enabled),
    paused: truthy(s.paused),
    categoryModes: json<Record<CategoryCode, CategoryMode>>(s.categoryModes),
    behaviour: json<BehaviourProtection>(s.behaviour),
    notices: json<NoticeSettings>(s.notices),
    options: json<ProtectionOptions>(s.options),
    version: Number(s.version ?? 0),
  };
  const entries = lists.map((e) => ({ list: String(e.list), kind: String(e.kind), value: String(e.value), note: (e.note as string | null) ?? null }));
  return preferencesOf(subscriberId, stated, entries);
}

export class PreferenceSource {
  private readonly positive: Lru<string, Preferences>;
  private readonly negative: Lru<string, true>;
  /** subscriberId → the callee number its cached entry is under. */
  private readonly bySubscriber = new Map<number, string>();
  private readonly inflight = new Map<string, Promise<Preferences | null>>();
  /** Bumped by every announcement: a load that straddles one is not cached (it may predate the change). */
  private epoch = 0;
  private readonly negativeTtlMs: number;
  private readonly maxAgeMs: number;
  private subscribed = false;
  private stopped = false;
  /** Loads (for tests and metrics). */
  loads = 0;

  constructor(
    private readonly deps: { db: DataSource; store: Store; vault: PhoneVault },
    private readonly opts: PreferenceSourceOptions = {},
  ) {
    this.positive = new Lru(opts.maxEntries ?? 200_000, (callee, p) => {
      if (this.bySubscriber.get(p.subscriberId) === callee) this.bySubscriber.delete(p.subscriberId);
    });
    this.negative = new Lru(opts.maxNegative ?? 500_000);
    this.negativeTtlMs = opts.negativeTtlMs ?? 60_000;
    this.maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
  }

  /** Listens for announcements. Call once before serving. */
  async start(): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    await this.deps.store.subscribe(PREFS_CHANNEL, (m) => {
      const id = Number(m);
      if (Number.isInteger(id) && !this.stopped) this.invalidate(id).catch((e) => this.opts.onError?.(e));
    });
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * The cached answer for a normalised callee number: Preferences, null (not enrolled), or undefined when
   * it must be loaded. Synchronous: the hot path awaits nothing on a hit.
   */
  peek(callee: string, nowMs = Date.now()): Preferences | null | undefined {
    const p = this.positive.get(callee, nowMs);
    if (p) return p;
    if (this.negative.get(callee, nowMs)) return null;
    return undefined;
  }

  /** Preferences of a normalised callee number (11-digit mobile), or null when it is not enrolled. */
  get(callee: string, nowMs = Date.now()): Preferences | null | Promise<Preferences | null> {
    const hit = this.peek(callee, nowMs);
    return hit !== undefined ? hit : this.load(callee);
  }

  load(callee: string): Promise<Preferences | null> {
    let p = this.inflight.get(callee);
    if (!p) {
      p = this.fetch(callee).finally(() => this.inflight.delete(callee));
      this.inflight.set(callee, p);
    }
    return p;
  }

  private async fetch(callee: string): Promise<Preferences | null> {
    const epoch = this.epoch;
    this.loads++;
    const prefs = await this.query(callee);
    if (epoch === this.epoch && !this.stopped) {
      const now = Date.now();
      if (prefs) {
        compiledListsOf(prefs); // compile the lists now, off the decision's clock
        const previous = this.bySubscriber.get(prefs.subscriberId);
        if (previous !== undefined && previous !== callee) this.positive.delete(previous);
        this.positive.set(callee, prefs, now + this.maxAgeMs);
        this.bySubscriber.set(prefs.subscriberId, callee);
        this.negative.delete(callee);
      } else {
        this.negative.set(callee, true, now + this.negativeTtlMs);
      }
    }
    return prefs;
  }

  private async query(callee: string): Promise<Preferences | null> {
    const db = this.deps.db;
    const hash = this.deps.vault.lookupHash(callee);
    const rows = (await db.query(
      `SELECT b.subscriberId AS sid, s.enabled, s.paused, s.categoryModes, s.behaviour, s.notices, s.options, s.version
         FROM phone_binding b LEFT JOIN protection_settings s ON s.subscriberId = b.subscriberId
        WHERE b.phoneHash = ?`,
      [hash],
    )) as Raw[];
    if (rows.length === 0) return null;
    const row = rows[0];
    const subscriberId = Number(row.sid);
    const settings = row.enabled === null || row.enabled === undefined ? null : row;
    // Lists only matter while protection is on; an enrolled-but-off callee is cached without them.
    const sealed = settings && truthy(settings.enabled) ? ((await db.query(`SELECT list, kind, value, valueCipher, note FROM list_entry WHERE subscriberId = ? ORDER BY id`, [subscriberId])) as Raw[]) : [];
    // Exact numbers are sealed at rest; the decision engine matches them in clear, in memory.
    const lists = sealed.map((e) => ({ ...e, value: openListValue(this.deps.vault, { kind: String(e.kind), value: String(e.value), valueCipher: (e.valueCipher as string | null) ?? null }) }));
    return preferencesFromRows(subscriberId, settings, lists);
  }

  /**
   * Forgets what is cached for a subscriber. When nothing is (a callee just enrolling was cached as
   * not enrolled, under its number), the number is read from the binding to drop that negative entry.
   */
  async invalidate(subscriberId: number): Promise<void> {
    this.epoch++;
    const callee = this.bySubscriber.get(subscriberId);
    if (callee !== undefined) {
      this.bySubscriber.delete(subscriberId);
      this.positive.delete(callee);
      this.negative.delete(callee);
      return;
    }
    if (this.negative.size === 0) return;
    const rows = (await this.deps.db.query(`SELECT phoneCipher FROM phone_binding WHERE subscriberId = ?`, [subscriberId])) as Raw[];
    if (rows.length === 0) return;
    this.negative.delete(this.deps.vault.decrypt(String(rows[0].phoneCipher)));
    this.epoch++;
  }

  /** Drops everything (an operator's bulk change). */
  clear(): void {
    this.epoch++;
    this.positive.clear();
    this.negative.clear();
    this.bySubscriber.clear();
  }
}
