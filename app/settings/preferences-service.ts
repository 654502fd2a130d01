// Every preference a subscriber states (categories, behaviour, time windows, notices, breakthrough, pause),
// validated, written in one transaction with its audit row and a version bump, then announced to the caches.
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { ListEntry, ProtectionSettings } from '../../entities';
import type { PhoneVault } from '../privacy/phone-vault';
import { openListValue } from '../privacy/sealed-numbers';
import { audit, type AuditSource } from '../audit/audit';
import { isRetryableDbError } from '../db/errors';
import {
  CATEGORY_CODES,
  CATEGORY_MODES,
  type BehaviourProtection,
  type Breakthrough,
  type CategoryCode,
  type CategoryMode,
  type NoticeSettings,
  type Preferences,
  type ProtectionOptions,
  type TimeWindows,
  preferencesOf,
} from '../protection/preferences';
import type { Store } from '../store';
import { announcePreferenceChange } from './changes';
import { recordSubscriberChange } from '../protection/subscriber-changes';
import type { ProtectionService, ProtectionState } from './protection-service';

export type PreferenceErrorCode =
  | 'invalid' // a field failed validation (see `issues`)
  | 'fraud_locked' // 疑似诈骗 is always blocked
  | 'bad_number' // not a number, segment or group we understand
  | 'list_full' // 1,000 entries
  | 'not_found' // no such entry (or not this subscriber's)
  | 'not_enabled' // pause/resume while protection is off
  | 'public_service'; // 110, 96110…: never on a list (they always ring)

/** A refusal the caller turns into a reply (chat text, JSON error); never a sentence itself. */
export class PreferenceError extends Error {
  constructor(
    readonly code: PreferenceErrorCode,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(issues.length ? `${code}: ${issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ')}` : code);
  }
}

/** Parses with a schema, turning zod's issues into a PreferenceError('invalid'). */
export function parseOrRefuse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new PreferenceError(
    'invalid',
    r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00–23:59');

const timeWindow = z
  .strictObject({
    days: z
      .array(z.number().int().min(0).max(6))
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'each day once'),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start !== w.end, { message: 'start and end must differ', path: ['end'] });

/** The shapes every channel (chat, H5 JSON, CSV, CLI) validates against. */
export const preferenceSchemas = {
  categoryModes: z
    .partialRecord(z.enum(CATEGORY_CODES), z.enum(CATEGORY_MODES))
    .refine((r) => Object.keys(r).length > 0, 'at least one category'),
  behaviour: z
    .strictObject({ highFrequency: z.boolean(), oneRing: z.boolean(), spoofedPlus86: z.boolean(), malformedCaller: z.boolean() })
    .partial()
    .refine((r) => Object.keys(r).length > 0, 'at least one switch'),
  timeWindows: z
    .strictObject({ mode: z.enum(['always', 'windows']), windows: z.array(timeWindow).max(8) })
    .refine((t) => t.mode === 'always' || t.windows.length > 0, { message: 'mode "windows" needs at least one window', path: ['windows'] }),
  notices: z
    .strictObject({
      mode: z.enum(['per_call', 'digest']),
      digestMinutes: z.number().int().min(5).max(1440),
      wechat: z.boolean(),
      sms: z.boolean(),
      quietHours: z
        .strictObject({ start: hhmm, end: hhmm })
        .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
        .nullable(),
    })
    .partial()
    .refine((r) => Object.keys(r).length > 0, 'at least one field'),
  breakthrough: z
    .strictObject({ enabled: z.boolean(), withinMinutes: z.number().int().min(1).max(30) })
    .partial()
    .refine((r) => Object.keys(r).length > 0, 'at least one field'),
};

/** Thrown inside a transaction when another writer bumped the version first: the change is retried. */
class VersionConflict extends Error {}

const MAX_ATTEMPTS = 8;

/** What a change computed: its result, and what to write (absent: nothing changed). */
export interface Outcome<T> {
  result: T;
  change?: { patch?: Partial<ProtectionSettings>; action: string; detail?: Record<string, unknown> };
}

/**
 * Runs one preference change: ensures the settings row, lets `apply` compute the change inside the
 * transaction, bumps `version` only if nobody else did meanwhile (else retries from a fresh read, so no
 * concurrent change is lost), writes the audit row, commits, then announces. `apply` returns null for
 * "nothing to change" (no version bump, no audit, no announcement).
 */
export async function changePreferences<T>(
  db: DataSource,
  store: Store,
  protection: ProtectionService,
  subscriberId: number,
  source: AuditSource,
  apply: (m: EntityManager, s: ProtectionSettings) => Promise<Outcome<T>>,
): Promise<{ changed: boolean; result: T }> {
  await ensureSettingsRow(db, protection, subscriberId);
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await db.transaction(async (m) => {
        const s = await m.findOneByOrFail(ProtectionSettings, { subscriberId });
        const r = await apply(m, s);
        if (!r.change) return { changed: false, result: r.result };
        const values = { ...(r.change.patch ?? {}), version: s.version + 1, updatedAt: new Date() } as Parameters<EntityManager['update']>[2];
        const bumped = await m.update(ProtectionSettings, { subscriberId, version: s.version }, values);
        if (bumped.affected !== 1) throw new VersionConflict();
        await audit(m, subscriberId, source, r.change.action, r.change.detail ?? {});
        await recordSubscriberChange(m, subscriberId);
        return { changed: true, result: r.result };
      });
      if (out.changed) await announcePreferenceChange(store, subscriberId);
      return out;
    } catch (e) {
      if (!(e instanceof VersionConflict || isTransientConflict(e)) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

/**
 * InnoDB's answers to two transactions crossing (deadlock, lock wait timeout, a unique key a concurrent
 * insert took first): the work is right, its timing was not, so it is run again from a fresh read.
 */
export function isTransientConflict(e: unknown): boolean {
  return isRetryableDbError(e, { duplicateKey: true });
}

/** Creates the settings row with the protective defaults; a concurrent creator winning the race is fine. */
async function ensureSettingsRow(db: DataSource, protection: ProtectionService, subscriberId: number): Promise<void> {
  if (await db.getRepository(ProtectionSettings).existsBy({ subscriberId })) return;
  try {
    await db.transaction((m) => protection.ensure(m, subscriberId));
  } catch (e) {
    if (!(await db.getRepository(ProtectionSettings).existsBy({ subscriberId }))) throw e;
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class PreferencesService {
  /**
   * Told after a commit that turned categories from allow to a refusal (the marketer module revokes the
   * consents of those categories there: a later refusal wins over an earlier consent).
   */
  readonly onCategoriesRefused: ((subscriberId: number, categories: CategoryCode[], source: AuditSource) => Promise<unknown>)[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
    private readonly protection: ProtectionService,
    private readonly vault: PhoneVault,
  ) {}

  /** Everything the subscriber has stated, defaults filled in. Reading creates nothing. */
  async view(subscriberId: number): Promise<Preferences> {
    const [s, lists] = await Promise.all([
      this.db.getRepository(ProtectionSettings).findOneBy({ subscriberId }),
      this.db.getRepository(ListEntry).find({ where: { subscriberId }, order: { id: 'ASC' } }),
    ]);
    return preferencesOf(subscriberId, s, lists.map((e) => ({ ...e, value: openListValue(this.vault, e) })));
  }

  /** Sets the mode of one or more categories. `fraud` stays 'block' whatever is asked. */
  async setCategoryModes(subscriberId: number, input: unknown, source: AuditSource): Promise<{ changed: boolean; categoryModes: Record<CategoryCode, CategoryMode> }> {
    if (input && typeof input === 'object' && 'fraud' in input && (input as Record<string, unknown>).fraud !== 'block') throw new PreferenceError('fraud_locked', [{ path: 'fraud', message: 'fraud is always blocked' }]);
    const wanted = parseOrRefuse(preferenceSchemas.categoryModes, input);
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (_m, s) => {
      const current = preferencesOf(subscriberId, s, []).categoryModes;
      const next = { ...current, ...wanted, fraud: 'block' as const };
      const changes = Object.fromEntries(CATEGORY_CODES.filter((c) => current[c] !== next[c]).map((c) => [c, { from: current[c], to: next[c] }]));
      if (Object.keys(changes).length === 0) return { result: current };
      return { result: next, change: { patch: { categoryModes: next }, action: 'categories_set', detail: { changes } } };
    });
    if (r.changed && this.onCategoriesRefused.length) {
      const refused = CATEGORY_CODES.filter((c) => c !== 'fraud' && wanted[c] !== undefined && wanted[c] !== 'allow');
      if (refused.length) for (const listener of this.onCategoriesRefused) await listener(subscriberId, refused, source);
    }
    return { changed: r.changed, categoryModes: r.result };
  }

  setCategory(subscriberId: number, code: CategoryCode, mode: CategoryMode, source: AuditSource) {
    return this.setCategoryModes(subscriberId, { [code]: mode }, source);
  }

  async setBehaviour(subscriberId: number, input: unknown, source: AuditSource): Promise<{ changed: boolean; behaviour: BehaviourProtection }> {
    const wanted = parseOrRefuse(preferenceSchemas.behaviour, input);
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (_m, s) => {
      const current = preferencesOf(subscriberId, s, []).behaviour;
      const next = { ...current, ...wanted };
      if (sameJson(current, next)) return { result: current };
      return { result: next, change: { patch: { behaviour: next }, action: 'behaviour_set', detail: { from: current, to: next } } };
    });
    return { changed: r.changed, behaviour: r.result };
  }

  async setTimeWindows(subscriberId: number, input: unknown, source: AuditSource): Promise<{ changed: boolean; timeWindows: TimeWindows }> {
    const wanted = parseOrRefuse(preferenceSchemas.timeWindows, input) as TimeWindows;
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (_m, s) => {
      const options = preferencesOf(subscriberId, s, []).options;
      if (sameJson(options.timeWindows, wanted)) return { result: options.timeWindows };
      const next: ProtectionOptions = { ...options, timeWindows: wanted };
      return { result: wanted, change: { patch: { options: next }, action: 'time_windows_set', detail: { from: options.timeWindows, to: wanted } } };
    });
    return { changed: r.changed, timeWindows: r.result };
  }

  async setBreakthrough(subscriberId: number, input: unknown, source: AuditSource): Promise<{ changed: boolean; breakthrough: Breakthrough }> {
    const wanted = parseOrRefuse(preferenceSchemas.breakthrough, input);
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (_m, s) => {
      const options = preferencesOf(subscriberId, s, []).options;
      const next = { ...options.breakthrough, ...wanted };
      if (sameJson(options.breakthrough, next)) return { result: next };
      return { result: next, change: { patch: { options: { ...options, breakthrough: next } }, action: 'breakthrough_set', detail: { from: options.breakthrough, to: next } } };
    });
    return { changed: r.changed, breakthrough: r.result };
  }

  async setNotices(subscriberId: number, input: unknown, source: AuditSource): Promise<{ changed: boolean; notices: NoticeSettings }> {
    const wanted = parseOrRefuse(preferenceSchemas.notices, input);
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (_m, s) => {
      const current = preferencesOf(subscriberId, s, []).notices;
      const next: NoticeSettings = { ...current, ...wanted };
      if (sameJson(current, next)) return { result: current };
      return { result: next, change: { patch: { notices: next }, action: 'notices_set', detail: { from: current, to: next } } };
    });
    return { changed: r.changed, notices: r.result };
  }

  /** 暂停 / 恢复: only meaningful while protection is on. */
  async setPaused(subscriberId: number, paused: boolean, source: AuditSource): Promise<{ changed: boolean; state: ProtectionState }> {
    const r = await this.protection.setPaused(subscriberId, paused, source);
    if (r.state === 'off') throw new PreferenceError('not_enabled');
    return r;
  }
}
