import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, int, str, time } from './columns';

export class ListEntries1763800000001 implements MigrationInterface {
  name = 'ListEntries1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'list_entry',
        columns: [id(), int('subscriberId'), str('list', 8), str('kind', 8), str('value', 32), str('note', 64, { isNullable: true }), time('createdAt')],
        indices: [new TableIndex({ name: 'uq_list_entry', columnNames: ['subscriberId', 'list', 'kind', 'value'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('list_entry');
  }
}
