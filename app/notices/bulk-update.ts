// Many rows of one table updated with different values in ONE statement (UPDATE … SET col = CASE id WHEN …),
// so a worker records a whole batch's outcomes in one round trip. Values go through TypeORM's own column
// conversion (dates for SQLite, simple-json), so this stays portable across MariaDB/MySQL and SQLite.
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

export interface RowChange<T> {
  id: number;
  change: Partial<T>;
}

/**
 * Applies each row's change where `fence` (a SQL condition with ? parameters) also holds. Returns the
 * number of rows changed. Columns missing from a row's change keep their value.
 */
export async function bulkUpdate<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: RowChange<T>[], fence: { sql: string; params: unknown[] }): Promise<number> {
  if (rows.length === 0) return 0;
  const meta = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const q = (name: string) => driver.escape(name);
  const idCol = q(meta.primaryColumns[0].databaseName);
  const props = [...new Set(rows.flatMap((r) => Object.keys(r.change)))];
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const prop of props) {
    const col = meta.findColumnWithPropertyName(prop);
    if (!col) throw new Error(`bulkUpdate: ${meta.name} has no column ${prop}`);
    const cases: string[] = [];
    for (const r of rows) {
      if (!(prop in r.change)) continue;
      cases.push('WHEN ? THEN ?');
      params.push(r.id, driver.preparePersistentValue((r.change as Record<string, unknown>)[prop], col));
    }
    sets.push(`${q(col.databaseName)} = CASE ${idCol} ${cases.join(' ')} ELSE ${q(col.databaseName)} END`);
  }
  const sql = `UPDATE ${q(meta.tableName)} SET ${sets.join(', ')} WHERE ${idCol} IN (${rows.map(() => '?').join(',')}) AND (${fence.sql})`;
  params.push(...rows.map((r) => r.id), ...fence.params);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return result.affected ?? 0;
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}
