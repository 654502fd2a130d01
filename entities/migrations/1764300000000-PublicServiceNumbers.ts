import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, str, time } from './columns';

export class PublicServiceNumbers1764300000000 implements MigrationInterface {
  name = 'PublicServiceNumbers1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'public_service_number',
        columns: [id(), str('value', 20), str('note', 64, { isNullable: true }), str('addedBy', 64), time('createdAt')],
        indices: [new TableIndex({ name: 'uq_public_service_number', columnNames: ['value'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('public_service_number');
  }
}
