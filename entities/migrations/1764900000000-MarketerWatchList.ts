import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, int, str, text, time } from './columns';

/**
 * The watch list as one sealed row per request (marketer_watch_list). The old per-number rows of
 * marketer_watch hold only a keyed hash, which cannot be turned back into a number key: they stay and the
 * changes feed reads them too until the retention worker has aged them out (31 days).
 */
export class MarketerWatchList1764900000000 implements MigrationInterface {
  name = 'MarketerWatchList1764900000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type !== 'better-sqlite3';
    await q.createTable(
      new Table({
        name: 'marketer_watch_list',
        columns: [id(), str('keyId', 64), int('size'), text('numbers', mysql ? { type: 'mediumtext' } : {}), time('seenAt')],
        indices: [new TableIndex({ name: 'ix_marketer_watch_list_key', columnNames: ['keyId', 'id'] }), new TableIndex({ name: 'ix_marketer_watch_list_seen', columnNames: ['seenAt'] })],
      }),
    );
    // The changes feed now reads settings changes in time order and keeps those of the key's numbers.
    await q.createIndex('protection_settings', new TableIndex({ name: 'ix_protection_settings_updated', columnNames: ['updatedAt', 'subscriberId'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('protection_settings', 'ix_protection_settings_updated');
    await q.dropTable('marketer_watch_list');
  }
}
