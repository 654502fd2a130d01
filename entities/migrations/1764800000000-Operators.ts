import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, id, str, time } from './columns';

export class Operators1764800000000 implements MigrationInterface {
  name = 'Operators1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'operator',
        columns: [id(), str('name', 48), str('role', 16), str('passwordHash', 255), str('totpSealed', 255, { isNullable: true }), bool('disabled'), time('createdAt'), time('lastSignInAt', true)],
        indices: [new TableIndex({ name: 'ux_operator_name', columnNames: ['name'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('operator');
  }
}
