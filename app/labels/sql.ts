// The few places where label storage speaks each database's own SQL: bulk upserts, the version counter,
// and times as plain numbers for the index loader. Everything else goes through TypeORM.
import type { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../db/datasource';

/** Times as both databases store datetime(3): 'YYYY-MM-DD HH:MM:SS.mmm', UTC. */
export function toSqlTime(d: Date): string {
  return d.toISOString().slice(0, 23).replace('T', ' ');
}

/** A datetime read back raw: a Date from MySQL (mysql2, timezone Z), a string from SQLite. */
export function fromSqlTime(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

export function fromSqlTimeOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : fromSqlTime(v);
}

/** Seconds since the epoch of a datetime column, computed by the database (no Date per row). */
export function epochSecondsSql(ds: DataSource, column: string): string {
  return isSqlite(ds) ? `CAST(strftime('%s', ${column}) AS INTEGER)` : `TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ${column})`;
}

/** Rows of the counter table: the label feed's and the subscriber view's versions. */
export const LABEL_SEQUENCE = 1;
export const SUBSCRIBER_SEQUENCE = 2;

/**
 * Hands out `n` consecutive versions and returns the first. Must run inside the writer's transaction: the
 * counter's row lock is then held until commit, which is what keeps versions in commit order.
 */
export async function allocateVersions(m: EntityManager, n: number, sequence: number = LABEL_SEQUENCE): Promise<number> {
  await m.query(`UPDATE label_sequence SET value = value + ? WHERE id = ?`, [n, sequence]);
  const [row] = (await m.query(`SELECT value FROM label_sequence WHERE id = ?`, [sequence])) as { value: string | number }[];
  return Number(row.value) - n + 1;
}

export interface BulkLabelRow {
  numberKey: number;
  category: string;
  number: string;
  confidence: number;
  expiresAt: string | null;
  version: number;
}

export const LABEL_COLUMNS = '(numberKey, category, number, source, confidence, evidenceCount, firstSeen, lastSeen, expiresAt, version, tombstone, updatedAt)';

// A row is "fresh" when the existing one was removed or had expired: it starts over instead of adding up.
const MYSQL_FRESH = `(tombstone = 1 OR (expiresAt IS NOT NULL AND expiresAt <= VALUES(lastSeen)))`;
// MySQL applies ON DUPLICATE KEY assignments left to right, each seeing the ones before: every column is
// computed from the old `source`, `tombstone` and `expiresAt`, which are therefore assigned last.
export const MYSQL_IMPORT_UPSERT = `ON DUPLICATE KEY UPDATE
  confidence = IF(source = 'operator', confidence, IF(${MYSQL_FRESH}, VALUES(confidence), GREATEST(confidence, VALUES(confidence)))),
  evidenceCount = IF(source = 'operator', evidenceCount, IF(${MYSQL_FRESH}, 1, evidenceCount + 1)),
  firstSeen = IF(source = 'operator', firstSeen, IF(${MYSQL_FRESH}, VALUES(firstSeen), firstSeen)),
  lastSeen = IF(source = 'operator', lastSeen, VALUES(lastSeen)),
  version = IF(source = 'operator', version, VALUES(version)),
  updatedAt = IF(source = 'operator', updatedAt, VALUES(updatedAt)),
  number = VALUES(number),
  expiresAt = IF(source = 'operator', expiresAt, VALUES(expiresAt)),
  tombstone = IF(source = 'operator', tombstone, 0),
  source = IF(source = 'operator', source, 'import')`;

const SQLITE_FRESH = `(number_label.tombstone = 1 OR (number_label.expiresAt IS NOT NULL AND number_label.expiresAt <= excluded.lastSeen))`;
const SQLITE_UPSERT = `ON CONFLICT(numberKey, category) DO UPDATE SET
  confidence = CASE WHEN ${SQLITE_FRESH} THEN excluded.confidence ELSE MAX(number_label.confidence, excluded.confidence) END,
  evidenceCount = CASE WHEN ${SQLITE_FRESH} THEN 1 ELSE number_label.evidenceCount + 1 END,
  firstSeen = CASE WHEN ${SQLITE_FRESH} THEN excluded.firstSeen ELSE number_label.firstSeen END,
  lastSeen = excluded.lastSeen,
  version = excluded.version,
  updatedAt = excluded.updatedAt,
  number = excluded.number,
  expiresAt = excluded.expiresAt,
  tombstone = 0,
  source = 'import'
  WHERE number_label.source <> 'operator'`;

/** SQLite binds at most 32,766 parameters per statement; MySQL's limit is the packet size. */
export function bulkChunkSize(ds: DataSource): number {
  return isSqlite(ds) ? 3000 : 5000;
}

/**
 * Imported labels as upserts: a new label starts with the file's confidence; an existing one keeps the
 * higher of the two and counts one more piece of evidence; an operator's label is left alone.
 * Rows go in key order (neighbouring B-tree pages, far fewer page reads on a big table) as multi-row
 * INSERTs. On MySQL the importer stages rows by LOAD DATA instead (label-batch-write.ts) and comes here
 * only when the server refuses LOCAL INFILE.
 */
export async function bulkUpsertImported(ds: DataSource, m: EntityManager, rows: BulkLabelRow[], at: Date): Promise<void> {
  rows.sort((a, b) => a.numberKey - b.numberKey);
  await insertUpsert(ds, m, rows, at);
}

async function insertUpsert(ds: DataSource, m: EntityManager, rows: BulkLabelRow[], at: Date): Promise<void> {
  const now = toSqlTime(at);
  const step = bulkChunkSize(ds);
  const tail = isSqlite(ds) ? SQLITE_UPSERT : MYSQL_IMPORT_UPSERT;
  for (let i = 0; i < rows.length; i += step) {
    const chunk = rows.slice(i, i + step);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const r of chunk) {
      tuples.push(`(?, ?, ?, 'import', ?, 1, ?, ?, ?, ?, 0, ?)`);
      params.push(r.numberKey, r.category, r.number, r.confidence, now, now, r.expiresAt, r.version, now);
    }
    await m.query(`INSERT INTO number_label ${LABEL_COLUMNS} VALUES ${tuples.join(', ')} ${tail}`, params);
  }
}
