// The subscriber import's batch writer: one transaction per batch that enrols the new phones (subscriber,
// binding, protection on), updates the phones bound before, writes one audit row and the batch's
// subscriber-view rows (the change log every deciding process follows), and the import's checkpoint.
//
// Every row gets a fresh subscriber id and its binding is inserted unless the phone is bound already
// (IGNORE on the unique hash): in the common case, all new, nothing is looked up row by row. On MySQL the
// rows are first loaded (LOAD DATA LOCAL INFILE) into MEMORY staging tables on a connection of their own
// while the previous batch commits, and the transaction then copies them server-side (INSERT … SELECT):
// the parsing of the rows is off the critical path and on another core. SQLite, and servers that refuse
// LOCAL INFILE, write the rows from here (bulk-insert.ts).
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { allocateVersions, SUBSCRIBER_SEQUENCE, toSqlTime } from '../labels/sql';
import { refusesLocalInfile } from '../labels/batch-write';
import { profileOf, PROFILE } from '../protection/subscriber-profile';
import { upsertViewSql } from '../protection/subscriber-changes';
import { bulkInsert, loadText } from './bulk-insert';

export interface Row {
  /** Place in the batch (key order). */
  ord: number;
  hash: string;
  key: number;
  check: number;
  cipher: string;
  modes: string;
  allRefused: boolean;
  subscriberId: number;
}

/** What a document leaves out, every reader fills in with the defaults. */
export const DEFAULTS = '{}';
const BEHAVIOUR = DEFAULTS;
const NOTICES = DEFAULTS;
const OPTIONS = DEFAULTS;
const SOURCE = { actor: 'operator', channel: 'cli' } as const;

/**
 * Writes one batch (rows sorted by key, one per phone) and its checkpoint in one transaction. Every row
 * gets a fresh subscriber id and its binding is inserted unless the phone is bound already (IGNORE on the
 * unique hash): in the common case, all new, nothing is looked up row by row.
 */
export async function writeBatch(m: EntityManager, rows: Row[], at: Date, checkpoint: (m: EntityManager) => Promise<void>): Promise<{ created: number; updated: number }> {
  const sqlite = m.connection.options.type === 'better-sqlite3';
  const now = toSqlTime(at);
  // New subscribers take ids above the highest; on MySQL the locking read also keeps concurrent
  // enrolments from inserting above it until this batch commits.
  const [{ top }] = (await m.query(`SELECT COALESCE(MAX(id), 0) AS top FROM subscriber${sqlite ? '' : ' FOR UPDATE'}`)) as { top: number | string }[];
  const first = Number(top) + 1;
  for (const r of rows) r.subscriberId = first + r.ord;
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
  await auditBatch(m, fresh.length, known.length, now);
  // Last, so the view's counter (every subscriber writer's turn) is held as briefly as possible.
  const version = await allocateVersions(m, rows.length, SUBSCRIBER_SEQUENCE);
  await bulkInsert(m, 'subscriber_view', ['hashKey', 'hashCheck', 'subscriberId', 'profile', 'version'], rows.map((r) => [r.key, r.check, r.subscriberId, profiles.get(r.subscriberId)!, version + r.ord]), { replace: true });
  await checkpoint(m);
  return { created: fresh.length, updated: known.length };
}

/**
 * The rows whose phone was bound before (their binding insert was ignored), each given that binding's
 * subscriber instead of the fresh id. The bindings inserted are exactly those with the batch's ids;
 * `inserted`, when the insert said how many, spares counting them.
 */
async function boundBefore(m: EntityManager, rows: Row[], first: number, last: number, inserted?: number): Promise<Row[]> {
  const [{ n }] = inserted === undefined ? ((await m.query(`SELECT COUNT(*) AS n FROM phone_binding WHERE subscriberId BETWEEN ? AND ?`, [first, last])) as { n: number | string }[]) : [{ n: inserted }];
  if (Number(n) === rows.length) return [];
  const fresh = new Set(((await m.query(`SELECT subscriberId FROM phone_binding WHERE subscriberId BETWEEN ? AND ?`, [first, last])) as { subscriberId: number | string }[]).map((r) => Number(r.subscriberId)));
  const known = rows.filter((r) => !fresh.has(r.subscriberId));
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
async function updateKnown(m: EntityManager, rows: Row[], now: string, sqlite: boolean, profiles: Map<number, number>): Promise<void> {
  // In the settings' key order (the batch is in the hash's): each page of protection_settings visited once.
  const known = [...rows].sort((x, y) => x.subscriberId - y.subscriberId);
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

/**
 * One audit row for the batch: who imported how many, when. The subscribers' own trails start with their
 * settings (enabledAt, updatedAt), as an SMS enrolment's would.
 */
async function auditBatch(m: EntityManager, created: number, updated: number, now: string): Promise<void> {
  if (created + updated === 0) return;
  await m.query(`INSERT INTO audit_event (subscriberId, actor, channel, action, detail, at) VALUES (NULL, ?, ?, 'subscribers_imported', ?, ?)`, [SOURCE.actor, SOURCE.channel, JSON.stringify({ created, updated }), now]);
}

/** A batch ready to commit: on MySQL its rows already wait in staging tables on their own connection. */
export interface StagedSubscribers {
  /** Writes the batch and what `checkpoint` writes in one transaction; redone whole on a transient conflict. */
  commit(checkpoint: (m: EntityManager) => Promise<void>): Promise<{ created: number; updated: number }>;
  discard(): Promise<void>;
}

const noLocalInfile = new WeakSet<DataSource>();

/** Stages a batch (rows in key order, `ord` their place) for a later commit of its own. */
export async function stageSubscriberBatch(db: DataSource, rows: Row[], at: Date, retry: <T>(attempt: () => Promise<T>) => Promise<T>): Promise<StagedSubscribers> {
  if (db.options.type !== 'better-sqlite3' && !noLocalInfile.has(db) && rows.length) {
    const runner = db.createQueryRunner();
    try {
      await runner.connect();
      await loadStage(runner.manager, rows);
      return stagedOn(runner, rows, at, retry);
    } catch (e) {
      await dropStage(runner.manager).catch(() => {});
      await runner.release();
      if (!refusesLocalInfile(e)) throw e;
      noLocalInfile.add(db);
    }
  }
  return { commit: (checkpoint) => retry(() => db.transaction((m) => writeBatch(m, rows, at, checkpoint))), discard: async () => {} };
}

// A MEMORY row is fixed-width: 4 + 8 + 8 + 64 + 100 + 2 + 1 + 1 bytes and the engine's overhead.
const STAGE_ROW_BYTES = 256;

async function dropStage(m: EntityManager): Promise<void> {
  await m.query(`DROP TEMPORARY TABLE IF EXISTS subscriber_stage, subscriber_stage_modes`);
}

/** The rows into this connection's subscriber_stage, their category modes (few distinct) into subscriber_stage_modes. */
async function loadStage(m: EntityManager, rows: Row[]): Promise<void> {
  await dropStage(m);
  // A MEMORY table's size limit is fixed when it is created; the session's limit is put back at once,
  // since it also bounds the server's implicit temporary tables on this (pooled) connection.
  await m.query(`SET @fsr_heap = @@session.max_heap_table_size, @@session.max_heap_table_size = GREATEST(@@session.max_heap_table_size, ?)`, [rows.length * STAGE_ROW_BYTES + (1 << 20)]);
  try {
    await m.query(`CREATE TEMPORARY TABLE subscriber_stage (
      s_ord INT UNSIGNED NOT NULL, s_key BIGINT NOT NULL, s_check BIGINT NOT NULL,
      s_hash CHAR(64) CHARACTER SET ascii NOT NULL, s_cipher VARCHAR(100) CHARACTER SET ascii NOT NULL,
      s_mode SMALLINT UNSIGNED NOT NULL, s_profile TINYINT NOT NULL, s_known TINYINT NOT NULL DEFAULT 0,
      PRIMARY KEY (s_ord) USING HASH) ENGINE=MEMORY`);
    await m.query(`CREATE TEMPORARY TABLE subscriber_stage_modes (m_id SMALLINT UNSIGNED NOT NULL PRIMARY KEY, m_json VARCHAR(1000) CHARACTER SET ascii NOT NULL) ENGINE=MEMORY`);
  } finally {
    await m.query(`SET @@session.max_heap_table_size = @fsr_heap`);
  }
  // At most 2¹⁰ + 1 distinct documents: each marketing category refused or not.
  const modeIds = new Map<string, number>();
  for (const r of rows) if (!modeIds.has(r.modes)) modeIds.set(r.modes, modeIds.size);
  const modes = [...modeIds];
  for (let i = 0; i < modes.length; i += 500) {
    const part = modes.slice(i, i + 500);
    await m.query(`INSERT INTO subscriber_stage_modes (m_id, m_json) VALUES ${part.map(() => '(?, ?)').join(', ')}`, part.flatMap(([json, id]) => [id, json]));
  }
  await loadText(m, 'INTO TABLE subscriber_stage', ['s_ord', 's_key', 's_check', 's_hash', 's_cipher', 's_mode', 's_profile'], () => stageLines(rows, modeIds), 'ascii');
}

/** The staging rows as tab-separated lines, 8,192 to a chunk: one string a row, no array of values. */
function* stageLines(rows: readonly Row[], modeIds: ReadonlyMap<string, number>): Generator<Buffer> {
  const custom = PROFILE.custom;
  const standard = PROFILE.default;
  let text = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    text += `${r.ord}\t${r.key}\t${r.check}\t${r.hash}\t${r.cipher}\t${modeIds.get(r.modes)}\t${r.allRefused ? standard : custom}\n`;
    if ((i & 8191) === 8191) {
      yield Buffer.from(text, 'latin1');
      text = '';
    }
  }
  if (text) yield Buffer.from(text, 'latin1');
}

function stagedOn(runner: QueryRunner, rows: Row[], at: Date, retry: <T>(attempt: () => Promise<T>) => Promise<T>): StagedSubscribers {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await dropStage(runner.manager).catch(() => {});
    await runner.release();
  };
  return {
    commit: async (checkpoint) => {
      try {
        return await retry(async () => {
          await runner.startTransaction();
          try {
            const r = await writeStaged(runner.manager, rows, at, checkpoint);
            await runner.commitTransaction();
            return r;
          } catch (e) {
            await runner.rollbackTransaction().catch(() => {});
            throw e;
          }
        });
      } finally {
        await release();
      }
    },
    discard: release,
  };
}

/** writeBatch from the staging tables: the same rows, copied server-side. */
async function writeStaged(m: EntityManager, rows: Row[], at: Date, checkpoint: (m: EntityManager) => Promise<void>): Promise<{ created: number; updated: number }> {
  const now = toSqlTime(at);
  const [{ top }] = (await m.query(`SELECT COALESCE(MAX(id), 0) AS top FROM subscriber FOR UPDATE`)) as { top: number | string }[];
  const first = Number(top) + 1;
  for (const r of rows) r.subscriberId = first + r.ord;
  // A MEMORY table is not transactional: marks of an attempt that rolled back are cleared.
  await m.query(`UPDATE subscriber_stage SET s_known = 0 WHERE s_known = 1`);
  const bound = (await m.query(`INSERT IGNORE INTO phone_binding (subscriberId, phoneHash, phoneCipher, source, verifiedAt) SELECT ? + s_ord, s_hash, s_cipher, 'sms', ? FROM subscriber_stage`, [first, now])) as { affectedRows: number };
  const known = await boundBefore(m, rows, first, first + rows.length - 1, Number(bound.affectedRows));
  for (let i = 0; i < known.length; i += 2000) {
    const part = known.slice(i, i + 2000);
    await m.query(`UPDATE subscriber_stage SET s_known = 1 WHERE s_ord IN (${part.map(() => '?').join(', ')})`, part.map((r) => r.ord));
  }
  await m.query(`INSERT INTO subscriber (id, createdAt, updatedAt) SELECT ? + s_ord, ?, ? FROM subscriber_stage WHERE s_known = 0`, [first, now, now]);
  await m.query(
    `INSERT INTO protection_settings (subscriberId, enabled, paused, enabledAt, categoryModes, behaviour, notices, options, version, updatedAt)
     SELECT ? + s.s_ord, 1, 0, ?, d.m_json, ?, ?, ?, 2, ? FROM subscriber_stage s JOIN subscriber_stage_modes d ON d.m_id = s.s_mode WHERE s.s_known = 0`,
    [first, now, BEHAVIOUR, NOTICES, OPTIONS, now],
  );
  const profiles = new Map<number, number>();
  if (known.length) await updateKnown(m, known, now, false, profiles);
  await auditBatch(m, rows.length - known.length, known.length, now);
  // Last, so the view's counter (every subscriber writer's turn) is held as briefly as possible.
  const version = await allocateVersions(m, rows.length, SUBSCRIBER_SEQUENCE);
  await m.query(
    `INSERT INTO subscriber_view (hashKey, hashCheck, subscriberId, profile, version) SELECT s_key, s_check, ? + s_ord, s_profile, ? + s_ord FROM subscriber_stage WHERE s_known = 0
     ON DUPLICATE KEY UPDATE subscriberId = VALUES(subscriberId), profile = VALUES(profile), version = VALUES(version)`,
    [first, version],
  );
  for (let i = 0; i < known.length; i += 1000) {
    const part = known.slice(i, i + 1000);
    await m.query(upsertViewSql(false, part.length), part.flatMap((r) => [r.key, r.check, r.subscriberId, profiles.get(r.subscriberId)!, version + r.ord]));
  }
  await checkpoint(m);
  return { created: rows.length - known.length, updated: known.length };
}
