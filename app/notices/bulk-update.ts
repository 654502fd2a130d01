// Updating a set of rows by primary key in ONE statement, with per-row values where they differ
// (SET col = CASE id WHEN … END), so a worker records a whole batch in one round trip. On MariaDB/MySQL the
// statement names the primary key as its index: on a small table the optimizer would otherwise scan it,
// locking rows of other workers' batches (next-key locks) and deadlocking them. Values go through
// TypeORM's own column conversion (dates on SQLite, simple-json), so this stays portable.
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { isSqlite } from '../db/datasource';

export interface RowChange<T> {
  id: number;
  change: Partial<T>;
}

/**
 * Applies each row's change where `fence` (a SQL condition with ? parameters; Dates are converted) also
 * holds. Returns the number of rows changed. Columns missing from a row's change keep their value.
 */
export async function bulkUpdate<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: RowChange<T>[], fence: { sql: string; params: unknown[] }): Promise<number> {
  if (rows.length === 0) return 0;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const q = (name: string) => driver.escape(name);
  const idCol = q(meta.primaryColumns[0].databaseName);
  const dateColumn = meta.columns.find((c) => c.type === 'datetime')!;
  const props = [...new Set(rows.flatMap((r) => Object.keys(r.change)))];
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const prop of props) {
    const col = meta.findColumnWithPropertyName(prop);
    if (!col) throw new Error(`bulkUpdate: ${meta.name} has no column ${prop}`);
    const values = rows.map((r) => (prop in r.change ? { has: true, v: driver.preparePersistentValue((r.change as Record<string, unknown>)[prop], col) } : { has: false, v: undefined }));
    const first = values[0];
    const same = values.every((x) => x.has && first.has && (x.v === first.v || (x.v instanceof Date && first.v instanceof Date && x.v.getTime() === first.v.getTime())));
    if (same) {
      sets.push(`${q(col.databaseName)} = ?`);
      params.push(first.v);
      continue;
    }
    const cases: string[] = [];
    values.forEach((x, i) => {
      if (!x.has) return;
      cases.push('WHEN ? THEN ?');
      params.push(rows[i].id, x.v);
    });
    sets.push(`${q(col.databaseName)} = CASE ${idCol} ${cases.join(' ')} ELSE ${q(col.databaseName)} END`);
  }
  const table = isSqlite(m.connection) ? q(meta.tableName) : `${q(meta.tableName)} FORCE INDEX (PRIMARY)`;
  const sql = `UPDATE ${table} SET ${sets.join(', ')} WHERE ${idCol} IN (${rows.map(() => '?').join(',')}) AND (${fence.sql})`;
  params.push(...rows.map((r) => r.id), ...fence.params.map((p) => (p instanceof Date ? driver.preparePersistentValue(p, dateColumn) : p)));
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return result.affected ?? 0;
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}

/** The same change on every row. */
export function updateByIds<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, ids: number[], change: Partial<T>, fence: { sql: string; params: unknown[] }): Promise<number> {
  return bulkUpdate(m, target, ids.map((id) => ({ id, change })), fence);
}
