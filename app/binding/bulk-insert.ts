// Many rows into one table inside the caller's transaction: LOAD DATA LOCAL INFILE on MySQL (rows as tab-
// separated text from memory, no file), multi-row INSERTs where the server refuses local infile and on
// SQLite. Values must be numbers, null, or strings without tabs, newlines or backslashes (hashes, base64,
// JSON of plain words, SQL times): callers pass nothing else.
import { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { refusesLocalInfile } from '../labels/batch-write';

type Value = string | number | null;
type RawConnection = { query(o: { sql: string; infileStreamFactory?: () => Readable }, cb: (err: Error | null) => void): void };

const refused = new WeakSet<object>();

function* tsv(rows: readonly Value[][]): Generator<Buffer> {
  const chunk: string[] = [];
  for (const r of rows) {
    chunk.push(r.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
    if (chunk.length === 8192) {
      yield Buffer.from(chunk.join('\n') + '\n', 'utf8');
      chunk.length = 0;
    }
  }
  if (chunk.length) yield Buffer.from(chunk.join('\n') + '\n', 'utf8');
}

/**
 * `replace`: a row whose key exists replaces it (MySQL REPLACE, SQLite INSERT OR REPLACE). `ignore`: a row
 * whose unique key exists is left out (MySQL IGNORE, SQLite INSERT OR IGNORE); the caller finds out which.
 */
export async function bulkInsert(m: EntityManager, table: string, columns: readonly string[], rows: readonly Value[][], o: { replace?: boolean; ignore?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = m.connection.options.type === 'better-sqlite3';
  if (!sqlite && !refused.has(m.connection)) {
    try {
      await loadRows(m, `${o.replace ? 'REPLACE ' : o.ignore ? 'IGNORE ' : ''}INTO TABLE ${table}`, columns, rows, 'utf8mb4');
      return;
    } catch (e) {
      if (!refusesLocalInfile(e)) throw e;
      refused.add(m.connection);
    }
  }
  const per = Math.max(1, Math.floor(30_000 / columns.length));
  const verb = o.replace ? (sqlite ? 'INSERT OR REPLACE' : 'REPLACE') : o.ignore ? (sqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE') : 'INSERT';
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const marks = `(${columns.map(() => '?').join(', ')})`;
    await m.query(`${verb} INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => marks).join(', ')}`, part.flat());
  }
}

/**
 * `LOAD DATA LOCAL INFILE … <into> (columns)` of these rows on the manager's connection (MySQL only); a
 * server that refuses LOCAL INFILE makes it throw (refusesLocalInfile tells).
 */
export async function loadRows(m: EntityManager, into: string, columns: readonly string[], rows: readonly Value[][], charset: 'utf8mb4' | 'ascii'): Promise<void> {
  await loadText(m, into, columns, () => tsv(rows), charset);
}

/**
 * The same from rows already written as tab-separated lines (each ending in a newline), for a caller
 * whose rows have a fixed shape and can be written without an array of values per row.
 */
export async function loadText(m: EntityManager, into: string, columns: readonly string[], text: () => Iterable<Buffer>, charset: 'utf8mb4' | 'ascii'): Promise<void> {
  const conn = (m.queryRunner as unknown as { databaseConnection: RawConnection }).databaseConnection;
  await new Promise<void>((resolve, reject) =>
    conn.query({ sql: `LOAD DATA LOCAL INFILE 'rows.tsv' ${into} CHARACTER SET ${charset} (${columns.join(', ')})`, infileStreamFactory: () => Readable.from(text()) }, (err) => (err ? reject(err) : resolve())),
  );
}
