// Existing registrations into this service (`npm run subscribers:import FILE.csv`): CSV `phone,refused`,
// `refused` a |-separated list of category codes (empty: the protective default, everything refused).
// Each row enrols the phone as an SMS keyword does — a subscriber without an openid, a binding by the
// phone's keyed hash (number encrypted), protection on — or, when the phone is already bound, updates that
// subscriber's protection (on, not paused, the file's categories).
//
// Read, checkpointed and resumed by the shared import loop (app/imports/csv-import.ts). What is this
// import's own: a line's parse (on the main thread: syntax only), the sealing of a batch's numbers (on
// worker threads, seal-pool.ts, while the batch before commits) and the batch writer. A batch commits
// with its checkpoint, one audit row and its subscriber-view rows (the change log every deciding process
// follows), so an interrupted import resumes after the last committed line and a re-import updates.
import type { DataSource, EntityManager } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { SealPool } from '../privacy/seal-pool';
import { runImport, type RunOptions, type RunResult, type StagedBatch } from '../imports/csv-import';
import { unquote } from '../imports/import-files';
import { allocateVersions, SUBSCRIBER_SEQUENCE, toSqlTime } from '../labels/sql';
import { normalizeNumber } from '../protection/numbers';
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode } from '../protection/preferences';
import { profileOf, PROFILE, viewKeyOf } from '../protection/subscriber-profile';
import { isTransientConflict } from '../settings/preferences-service';
import { bulkInsert } from './bulk-insert';

export type SubscriberRejectReason = 'too_many_fields' | 'bad_phone' | 'bad_category';

export interface SubscriberImportOptions extends RunOptions {
  batchSize?: number;
  /** Worker threads that seal numbers (0: the main thread does). */
  sealThreads?: number;
}

export interface SubscriberImportResult extends RunResult {
  /** Of the accepted rows in this run: phones new here, and phones already bound (updated). */
  created: number;
  updated: number;
}

interface Row {
  hash: string;
  key: number;
  check: number;
  cipher: string;
  modes: string;
  allRefused: boolean;
  subscriberId: number;
}

const CODE_OF = new Map<string, CategoryCode>([...CATEGORY_CODES.map((c) => [c, c] as const), ...Object.entries(CATEGORY_NAMES).map(([c, n]) => [n, c as CategoryCode] as const)]);
const MARKETING = CATEGORY_CODES.filter((c) => c !== 'fraud');
// Every reader of protection_settings fills what a document leaves out with the defaults, so an imported
// row stores '{}' for what the file does not state: rows a third the width, written three times faster.
const DEFAULTS = '{}';
const BEHAVIOUR = DEFAULTS;
const NOTICES = DEFAULTS;
const OPTIONS = DEFAULTS;
const SOURCE = { actor: 'operator', channel: 'cli' } as const;

/** The category modes a `refused` field states, as stored JSON (one string per distinct field). */
const modesCache = new Map<string, { json: string; all: boolean } | null>();
function modesOf(refused: string): { json: string; all: boolean } | null {
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
class ReadBatch {
  readonly phones: string[] = [];
  readonly modes: string[] = [];
  readonly allRefused: boolean[] = [];
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
    }
    this.modes[i] = modes.json;
    this.allRefused[i] = modes.all;
    return null;
  }
}

/** Sealed rows in key order (the order of every hash-keyed index they go into). */
async function sealed(pool: SealPool, b: ReadBatch): Promise<Row[]> {
  const { hashes, ciphers } = await pool.seal(b.phones);
  const rows = hashes.map((hash, i): Row => {
    const { key, check } = viewKeyOf(hash);
    return { hash, key, check, cipher: ciphers[i], modes: b.modes[i], allRefused: b.allRefused[i], subscriberId: 0 };
  });
  return rows.sort((x, y) => x.key - y.key || x.check - y.check);
}

/** On MySQL a batch is a handful of LOAD DATA statements; on SQLite multi-row INSERTs. */
export function defaultSubscriberBatch(db: DataSource): number {
  return db.options.type === 'better-sqlite3' ? 10_000 : 50_000;
}

/**
 * Writes one batch (rows sorted by key, one per phone) and its checkpoint in one transaction. Every row
 * gets a fresh subscriber id and its binding is inserted unless the phone is bound already (IGNORE on the
 * unique hash): in the common case, all new, nothing is looked up row by row.
 */
async function writeBatch(m: EntityManager, rows: Row[], at: Date, checkpoint: (m: EntityManager) => Promise<void>): Promise<{ created: number; updated: number }> {
  const sqlite = m.connection.options.type === 'better-sqlite3';
  const now = toSqlTime(at);
  // New subscribers take ids above the highest; on MySQL the locking read also keeps concurrent
  // enrolments from inserting above it until this batch commits.
  const [{ top }] = (await m.query(`SELECT COALESCE(MAX(id), 0) AS top FROM subscriber${sqlite ? '' : ' FOR UPDATE'}`)) as { top: number | string }[];
  const first = Number(top) + 1;
  rows.forEach((r, i) => (r.subscriberId = first + i));
  const last = first + rows.length - 1;
  await bulkInsert(m, 'phone_binding', ['subscriberId', 'phoneHash', 'phoneCipher', 'source', 'verifiedAt'], rows.map((r) => [r.subscriberId, r.hash, r.cipher, 'sms', now]), { ignore: true });
  const known = rows.length ? await boundBefore(m, rows, first, last) : [];
  const fresh = known.length ? rows.filter((r) => r.subscriberId >= first) : rows;
  await bulkInsert(m, 'subscriber', ['id', 'createdAt', 'updatedAt'], fresh.map((r) => [r.subscriberId, now, now]));
  await bulkInsert(
    m,
    'protection_settings',
    ['subscriberId', 'enabled', 'paused', 'enabledAt', 'categoryModes', 'behaviour', 'notices', 'options', 'version', 'updatedAt'],
    fresh.map((r) => [r.subscriberId, 1, 0, now, r.modes, BEHAVIOUR, NOTICES, OPTIONS, 2, now]),
  );
  const profiles = new Map<number, number>();
  for (const r of fresh) profiles.set(r.subscriberId, r.allRefused ? PROFILE.default : PROFILE.custom);
  if (known.length) await updateKnown(m, known, now, sqlite, profiles);
  // One audit row for the batch: who imported how many, when. The subscribers' own trails start with
  // their settings (enabledAt, updatedAt), as an SMS enrolment's would.
  if (rows.length)
    await m.query(`INSERT INTO audit_event (subscriberId, actor, channel, action, detail, at) VALUES (NULL, ?, ?, 'subscribers_imported', ?, ?)`, [
      SOURCE.actor,
      SOURCE.channel,
      JSON.stringify({ created: fresh.length, updated: known.length }),
      now,
    ]);
  // Last, so the view's counter (every subscriber writer's turn) is held as briefly as possible.
  const version = await allocateVersions(m, rows.length, SUBSCRIBER_SEQUENCE);
  await bulkInsert(m, 'subscriber_view', ['hashKey', 'hashCheck', 'subscriberId', 'profile', 'version'], rows.map((r, i) => [r.key, r.check, r.subscriberId, profiles.get(r.subscriberId)!, version + i]), { replace: true });
  await checkpoint(m);
  return { created: fresh.length, updated: known.length };
}

/**
 * The rows whose phone was bound before (their binding insert was ignored), each given that binding's
 * subscriber instead of the fresh id. The bindings inserted are exactly those with the batch's ids.
 */
async function boundBefore(m: EntityManager, rows: Row[], first: number, last: number): Promise<Row[]> {
  const [{ n }] = (await m.query(`SELECT COUNT(*) AS n FROM phone_binding WHERE subscriberId BETWEEN ? AND ?`, [first, last])) as { n: number | string }[];
  if (Number(n) === rows.length) return [];
  const inserted = new Set(((await m.query(`SELECT subscriberId FROM phone_binding WHERE subscriberId BETWEEN ? AND ?`, [first, last])) as { subscriberId: number | string }[]).map((r) => Number(r.subscriberId)));
  const known = rows.filter((r) => !inserted.has(r.subscriberId));
  const existing = new Map<string, number>();
  for (let i = 0; i < known.length; i += 2000) {
    const part = known.slice(i, i + 2000);
    const found = (await m.query(`SELECT phoneHash, subscriberId FROM phone_binding WHERE phoneHash IN (${part.map(() => '?').join(', ')})`, part.map((r) => r.hash))) as { phoneHash: string; subscriberId: number | string }[];
    for (const f of found) existing.set(f.phoneHash, Number(f.subscriberId));
  }
  for (const r of known) {
    const id = existing.get(r.hash);
    // Left out for another reason than its phone: never silently dropped.
    if (id === undefined) throw new Error('a binding of the batch was neither inserted nor found');
    r.subscriberId = id;
  }
  return known;
}

/** Phones already bound: protection on, the file's categories; their view profile read back whole. */
async function updateKnown(m: EntityManager, known: Row[], now: string, sqlite: boolean, profiles: Map<number, number>): Promise<void> {
  const cols = '(subscriberId, enabled, paused, enabledAt, categoryModes, behaviour, notices, options, version, updatedAt)';
  const upsert = sqlite
    ? `ON CONFLICT (subscriberId) DO UPDATE SET enabledAt = CASE WHEN enabled = 1 THEN enabledAt ELSE excluded.enabledAt END, enabled = 1, paused = 0, categoryModes = excluded.categoryModes, version = version + 1, updatedAt = excluded.updatedAt`
    : `ON DUPLICATE KEY UPDATE enabledAt = IF(enabled = 1, enabledAt, VALUES(enabledAt)), enabled = 1, paused = 0, categoryModes = VALUES(categoryModes), version = version + 1, updatedAt = VALUES(updatedAt)`;
  for (let i = 0; i < known.length; i += 1000) {
    const part = known.slice(i, i + 1000);
    await m.query(`INSERT INTO protection_settings ${cols} VALUES ${part.map(() => '(?, 1, 0, ?, ?, ?, ?, ?, 2, ?)').join(', ')} ${upsert}`, part.flatMap((r) => [r.subscriberId, now, r.modes, BEHAVIOUR, NOTICES, OPTIONS, now]));
    const ids = part.map((r) => r.subscriberId);
    const marks = ids.map(() => '?').join(', ');
    const settings = (await m.query(`SELECT subscriberId, enabled, paused, categoryModes, behaviour, options FROM protection_settings WHERE subscriberId IN (${marks})`, ids)) as Record<string, unknown>[];
    const lists = (await m.query(`SELECT subscriberId, COUNT(*) AS n FROM list_entry WHERE subscriberId IN (${marks}) GROUP BY subscriberId`, ids)) as { subscriberId: number | string; n: number | string }[];
    const listCount = new Map(lists.map((l) => [Number(l.subscriberId), Number(l.n)]));
    for (const s of settings) profiles.set(Number(s.subscriberId), profileOf(s, listCount.get(Number(s.subscriberId)) ?? 0));
  }
}

export async function importSubscribersFile(deps: { db: DataSource; vault: PhoneVault }, file: string, opts: SubscriberImportOptions = {}): Promise<SubscriberImportResult> {
  const { db } = deps;
  const at = opts.at ?? new Date();
  const pool = new SealPool(deps.vault, opts.sealThreads);
  let created = 0;
  let updated = 0;
  const stage = async (batch: ReadBatch): Promise<StagedBatch> => {
    const rows = await sealed(pool, batch);
    return {
      commit: async (checkpoint) => {
        for (let attempt = 1; ; attempt++) {
          try {
            const r = await db.transaction((m) => writeBatch(m, rows, at, checkpoint));
            created += r.created;
            updated += r.updated;
            return;
          } catch (e) {
            // A concurrent enrolment of a phone in this batch, or a crossing lock: the batch is redone whole.
            if (!isTransientConflict(e) || attempt >= 5) throw e;
          }
        }
      },
      discard: async () => {},
    };
  };
  try {
    const result = await runImport<ReadBatch>(
      db,
      file,
      {
        // A subscriber file's checkpoint is not a label file's (the checkpoint table is shared).
        kind: 'subscribers',
        header: /^\s*"?phone"?\s*(,|$)/i,
        batchSize: opts.batchSize ?? defaultSubscriberBatch(db),
        newBatch: () => new ReadBatch(),
        add: (batch, line) => batch.add(line),
        stage,
      },
      { ...opts, at },
    );
    return { ...result, created, updated };
  } finally {
    await pool.close();
  }
}
