// The subscriber view's change log: written by every writer of subscriber state inside its own
// transaction (recordSubscriberChange), read by every deciding process (a cold load in key order, then
// `version > cursor` polls). The table is subscriber_view (entities/SubscriberView.ts).
import type { DataSource, EntityManager } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { openListValue } from '../privacy/sealed-numbers';
import { allocateVersions, SUBSCRIBER_SEQUENCE } from '../labels/sql';
import { preferencesFromRows } from './preference-source';
import type { Preferences } from './preferences';
import { PROFILE, profileOf, viewKeyOf, type Profile } from './subscriber-profile';

type Raw = Record<string, unknown>;

function sqliteOf(m: EntityManager | DataSource): boolean {
  const c = 'connection' in m ? m.connection : m;
  return c.options.type === 'better-sqlite3';
}

/** A locking read on MySQL (the latest committed rows, not this transaction's snapshot); SQLite has one writer. */
function latest(m: EntityManager): string {
  return sqliteOf(m) ? '' : ' LOCK IN SHARE MODE';
}

export function upsertViewSql(sqlite: boolean, rows = 1): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  const insert = `INSERT INTO subscriber_view (hashKey, hashCheck, subscriberId, profile, version) VALUES ${values}`;
  return sqlite
    ? `${insert} ON CONFLICT (hashKey, hashCheck) DO UPDATE SET subscriberId = excluded.subscriberId, profile = excluded.profile, version = excluded.version`
    : `${insert} ON DUPLICATE KEY UPDATE subscriberId = VALUES(subscriberId), profile = VALUES(profile), version = VALUES(version)`;
}

/**
 * THE call every writer of subscriber state makes, inside its own transaction, after its writes: it
 * reads back what a decision needs of this subscriber (their phone's lookup hash, on/paused, whether
 * anything differs from the protective default) and records it with a fresh version, so the commit and
 * its log row are one. A phone this subscriber no longer holds is recorded as gone. Writers: protection
 * on/off/pause, preferences and lists, bindings (bind, move, unbind), the SMS merge, deletion, the
 * import; family enrolment and consents call it the same way.
 *
 * The version counter's row lock is held from here to commit: call it last in the transaction.
 */
export async function recordSubscriberChange(m: EntityManager, subscriberId: number): Promise<void> {
  const lock = latest(m);
  // The counter first: every view writer then takes its locks in one order (no deadlock between two
  // writers of the same subscriber) and reads what the one before it committed.
  if (!sqliteOf(m)) await m.query(`SELECT value FROM label_sequence WHERE id = ? FOR UPDATE`, [SUBSCRIBER_SEQUENCE]);
  const [binding] = (await m.query(`SELECT phoneHash FROM phone_binding WHERE subscriberId = ?${lock}`, [subscriberId])) as Raw[];
  const here = binding ? viewKeyOf(String(binding.phoneHash)) : null;
  const held = (await m.query(`SELECT hashKey, hashCheck FROM subscriber_view WHERE subscriberId = ? AND profile <> 0${sqliteOf(m) ? '' : ' FOR UPDATE'}`, [subscriberId])) as Raw[];
  const stale = held.filter((r) => !here || Number(r.hashKey) !== here.key || Number(r.hashCheck) !== here.check);
  let profile: Profile = PROFILE.gone;
  if (here) {
    const [settings] = (await m.query(`SELECT enabled, paused, categoryModes, behaviour, options FROM protection_settings WHERE subscriberId = ?${lock}`, [subscriberId])) as Raw[];
    const [count] = settings ? ((await m.query(`SELECT COUNT(*) AS n FROM list_entry WHERE subscriberId = ?${lock}`, [subscriberId])) as Raw[]) : [{ n: 0 }];
    profile = profileOf(settings ?? null, Number(count.n));
  }
  const n = stale.length + (here ? 1 : 0);
  if (n === 0) return;
  let version = await allocateVersions(m, n, SUBSCRIBER_SEQUENCE);
  for (const r of stale) await m.query(`UPDATE subscriber_view SET profile = 0, version = ? WHERE hashKey = ? AND hashCheck = ?`, [version++, r.hashKey, r.hashCheck]);
  if (here) await m.query(upsertViewSql(sqliteOf(m)), [here.key, here.check, subscriberId, profile, version]);
}

export interface ViewRow {
  key: number;
  check: number;
  subscriberId: number;
  profile: number;
  version: number;
  /** The phone the row's subscriber holds now (sealed) and its lookup hash: the view is keyed by the number. */
  binding?: { phoneHash: string; phoneCipher: string };
}

const toRow = (r: Raw): ViewRow => ({
  key: Number(r.hashKey),
  check: Number(r.hashCheck),
  subscriberId: Number(r.subscriberId),
  profile: Number(r.profile),
  version: Number(r.version ?? 0),
  binding: r.phoneHash ? { phoneHash: String(r.phoneHash), phoneCipher: String(r.phoneCipher) } : undefined,
});

/** The newest version handed out whose transaction committed (the counter's row lock is held to commit). */
export async function currentViewVersion(db: DataSource): Promise<number> {
  const [row] = (await db.query(`SELECT value FROM label_sequence WHERE id = ?`, [SUBSCRIBER_SEQUENCE])) as Raw[];
  return Number(row?.value ?? 0);
}

// One statement reads a page of changes and their subscribers' bindings, so the two are of one committed
// state. The page is chosen first (by the primary key, or the version index), then joined: a join before
// the LIMIT lets the optimiser sort the whole table.
const withBinding = (page: string) => `SELECT v.hashKey, v.hashCheck, v.subscriberId, v.profile, v.version, b.phoneHash, b.phoneCipher
  FROM (${page}) v LEFT JOIN phone_binding b ON b.subscriberId = v.subscriberId`;

/** Enrolled phones in key order after (key, check), for the cold load (their numbers come from scanBindings). */
export async function scanView(db: DataSource, after: { key: number; check: number }, limit: number): Promise<ViewRow[]> {
  const rows = (await db.query(
    `SELECT hashKey, hashCheck, subscriberId, profile FROM subscriber_view
      WHERE hashKey >= ? AND (hashKey > ? OR hashCheck > ?) AND profile <> 0
      ORDER BY hashKey, hashCheck LIMIT ?`,
    [after.key, after.key, after.check, limit],
  )) as Raw[];
  return rows.map(toRow);
}

export interface BindingRow {
  id: number;
  subscriberId: number;
  phoneHash: string;
  phoneCipher: string;
}

/**
 * Bindings in id order after `afterId`, for the cold load: read in the table's own order and matched to
 * the view's rows in memory (a join in the view's hash order reads the bindings at random, minutes for
 * a million).
 */
export async function scanBindings(db: DataSource, afterId: number, limit: number): Promise<BindingRow[]> {
  const rows = (await db.query(`SELECT id, subscriberId, phoneHash, phoneCipher FROM phone_binding WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit])) as Raw[];
  return rows.map((r) => ({ id: Number(r.id), subscriberId: Number(r.subscriberId), phoneHash: String(r.phoneHash), phoneCipher: String(r.phoneCipher) }));
}

/** Changes after a version, in version order (versions are unique, so a page never splits one), with bindings. */
export async function viewChangesSince(db: DataSource, version: number, limit: number): Promise<{ rows: ViewRow[]; more: boolean }> {
  const rows = (await db.query(
    `${withBinding(`SELECT hashKey, hashCheck, subscriberId, profile, version FROM subscriber_view WHERE version > ? ORDER BY version LIMIT ?`)} ORDER BY v.version`,
    [version, limit],
  )) as Raw[];
  return { rows: rows.map(toRow), more: rows.length === limit };
}

/** The whole Preferences of customised subscribers (their settings and lists, exact numbers opened), in chunks. */
export async function customPreferences(db: DataSource, vault: PhoneVault, subscriberIds: readonly number[], chunk = 1000): Promise<Map<number, Preferences>> {
  const out = new Map<number, Preferences>();
  for (let i = 0; i < subscriberIds.length; i += chunk) {
    const ids = subscriberIds.slice(i, i + chunk);
    const marks = ids.map(() => '?').join(', ');
    const settings = (await db.query(`SELECT subscriberId, enabled, paused, categoryModes, behaviour, notices, options, version FROM protection_settings WHERE subscriberId IN (${marks})`, ids)) as Raw[];
    const sealed = (await db.query(`SELECT subscriberId, list, kind, value, valueCipher, note FROM list_entry WHERE subscriberId IN (${marks}) ORDER BY subscriberId, id`, ids)) as Raw[];
    // Exact numbers are sealed at rest; decisions match them in clear, in memory.
    const lists: Raw[] = sealed.map((e) => ({ ...e, value: openListValue(vault, { kind: String(e.kind), value: String(e.value), valueCipher: (e.valueCipher as string | null) ?? null }) }));
    const bySubscriber = new Map<number, Raw[]>();
    for (const l of lists) {
      const id = Number(l.subscriberId);
      let a = bySubscriber.get(id);
      if (!a) bySubscriber.set(id, (a = []));
      a.push(l);
    }
    for (const s of settings) {
      const id = Number(s.subscriberId);
      out.set(id, preferencesFromRows(id, s, bySubscriber.get(id) ?? []));
    }
  }
  return out;
}

/**
 * Writes a view row for every phone bound before the view existed (the migration that creates the table
 * runs it once). Settings and list counts are read per chunk of bindings; versions start at 1.
 */
export async function backfillSubscriberView(m: EntityManager, chunk = 1000): Promise<number> {
  const sqlite = sqliteOf(m);
  let afterId = 0;
  let version = 0;
  for (;;) {
    const rows = (await m.query(
      `SELECT b.id, b.subscriberId, b.phoneHash, s.enabled, s.paused, s.categoryModes, s.behaviour, s.options,
              (SELECT COUNT(*) FROM list_entry l WHERE l.subscriberId = b.subscriberId) AS lists
         FROM phone_binding b LEFT JOIN protection_settings s ON s.subscriberId = b.subscriberId
        WHERE b.id > ? ORDER BY b.id LIMIT ?`,
      [afterId, chunk],
    )) as Raw[];
    if (rows.length === 0) break;
    const params: unknown[] = [];
    for (const r of rows) {
      const { key, check } = viewKeyOf(String(r.phoneHash));
      const settings = r.enabled === null || r.enabled === undefined ? null : r;
      params.push(key, check, Number(r.subscriberId), profileOf(settings, Number(r.lists)), ++version);
    }
    await m.query(upsertViewSql(sqlite, rows.length), params);
    afterId = Number(rows[rows.length - 1].id);
  }
  if (version) await m.query(`UPDATE label_sequence SET value = ? WHERE id = ?`, [version, SUBSCRIBER_SEQUENCE]);
  return version;
}
